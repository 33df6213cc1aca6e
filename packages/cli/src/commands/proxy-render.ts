// `kubemu proxy render`: the iptables-restore payload of kube-proxy's full sync for one node.
import { renderFullSync } from '@kubemu/core';
import { booleanFlag, parseCommandArgs } from '../args.js';
import type { CliIO } from '../io.js';
import { PROXY_INPUT_FLAGS, PROXY_INPUT_OPTIONS, readProxyInputs } from './proxy-inputs.js';

export const PROXY_RENDER_HELP = `kubemu proxy render: print the restore payload kube-proxy's full sync writes on the node.

Options:
${PROXY_INPUT_OPTIONS}`;

export async function proxyRender(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('proxy render', argv, PROXY_INPUT_FLAGS);
  if (booleanFlag(args, 'help')) {
    io.out(PROXY_RENDER_HELP);
    return 0;
  }
  const inputs = await readProxyInputs('proxy render', args, io);
  io.out(renderFullSync(inputs.services, inputs.endpointSlices, inputs.node, inputs.config));
  return 0;
}
