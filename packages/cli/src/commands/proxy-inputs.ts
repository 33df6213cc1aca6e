// The inputs both offline proxy commands share: manifests, the node, the KubeProxyConfiguration.
import { proxyInputsFromObjects, type ProxyInputs } from '@kubemu/core';
import { readProxyConfig } from '@kubemu/proxy-agent';
import { booleanFlag, stringFlag, stringsFlag, UsageError, type ParsedArgs } from '../args.js';
import type { CliIO } from '../io.js';
import { ManifestError, readManifests } from '../manifests.js';

export const PROXY_INPUT_FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
  node: { type: 'string' },
  'node-ip': { type: 'string', multiple: true },
  config: { type: 'string' },
} as const;

export const PROXY_INPUT_OPTIONS = `  -f, --filename FILE|DIR|-   Services, EndpointSlices and Nodes (multi-document YAML or JSON)
  -R, --recursive             descend into subfolders
  --node NAME                 the node whose rules to compute
  --node-ip IP                an address of the node (repeatable); default: the Node manifest's addresses
  --config FILE               a kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration
`;

export async function readProxyInputs(command: string, args: ParsedArgs, io: CliIO): Promise<ProxyInputs> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected args: [${args.positionals.join(' ')}]`, command);
  const files = stringsFlag(args, 'filename');
  if (files.length === 0) throw new UsageError('must specify -f', command);
  const nodeName = stringFlag(args, 'node');
  if (!nodeName) throw new UsageError('must specify --node', command);
  let config;
  try {
    config = readProxyConfig(stringFlag(args, 'config'));
  } catch (err) {
    throw new ManifestError((err as Error).message);
  }
  const manifests = await readManifests(files, { recursive: booleanFlag(args, 'recursive'), readStdin: io.readStdin });
  const inputs = proxyInputsFromObjects(
    manifests.map((m) => m.object),
    nodeName,
    config,
    stringsFlag(args, 'node-ip'),
  );
  if (inputs.node.ips.length === 0) throw new ManifestError(`node ${JSON.stringify(nodeName)} has no address: give --node-ip or a Node manifest with status.addresses`);
  return inputs;
}
