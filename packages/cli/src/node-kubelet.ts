// Reaching a node's kubelet port (exec, the node's netfilter) as `kubectl exec` reaches a kubelet:
// the address and port from the Node object (InternalIP and kubemu's kubelet-port annotation),
// authenticated with the cluster token from the kubeconfig.
import { request } from 'node:http';
import { nodeRoute, resourceByKind, type Node, type ResourceInfo } from '@kubemu/core';
import type { ParsedArgs } from './args.js';
import { connect, NoClusterError } from './cluster-access.js';
import type { CliIO } from './io.js';
import { readKubeconfig } from './kubeconfig.js';
import { resolveStateDir, statePaths } from './state-dir.js';

const NODES = resourceByKind('Node') as ResourceInfo;
/** The largest answer a node's kubelet port may send (an iptables-save of a big cluster). */
export const MAX_KUBELET_RESPONSE_BYTES = 128 * 1024 * 1024;

export class KubeletUnreachableError extends Error {
  override name = 'KubeletUnreachableError';
}

export interface KubeletEndpoint {
  url: string;
  token: string;
}

/** The node's kubelet URL (`http://ADDRESS:PORT`) and the token; NotFound from the api-store when there is no such Node. */
export async function kubeletEndpoint(args: ParsedArgs, io: CliIO, nodeName: string): Promise<KubeletEndpoint> {
  const { client } = connect(args, io);
  const route = nodeRoute((await client.get(NODES, undefined, nodeName)) as Node);
  if (!route || route.kubeletPort === 0) throw new KubeletUnreachableError(`node ${nodeName} does not publish its kubelet endpoint`);
  const paths = statePaths(resolveStateDir(args, io));
  const token = readKubeconfig(paths.kubeconfigFile)?.token;
  if (token === undefined) throw new NoClusterError(`no cluster in ${paths.root}`);
  return { url: `http://${route.address}:${route.kubeletPort}`, token };
}

export function kubeletRequest(endpoint: KubeletEndpoint, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${endpoint.token}` };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const req = request(`${endpoint.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_KUBELET_RESPONSE_BYTES) req.destroy(new Error(`answer over ${MAX_KUBELET_RESPONSE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(new KubeletUnreachableError(`${endpoint.url}: ${err.message}`)));
    req.end(body);
  });
}
