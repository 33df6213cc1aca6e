// `kubemu proxy render|trace`: kube-proxy's rules for one node computed from manifests alone
// (Services, EndpointSlices, Nodes), without a cluster.
import { UsageError } from '../args.js';
import type { CliIO } from '../io.js';
import { proxyRender, PROXY_RENDER_HELP } from './proxy-render.js';
import { proxyTrace, PROXY_TRACE_HELP } from './proxy-trace.js';

export const PROXY_HELP = `Compute kube-proxy's iptables rules for a node from manifests, offline.

Usage:
  kubemu proxy render -f FILE… --node NAME [--node-ip IP]… [--config KUBEPROXYCONFIG.yaml]
  kubemu proxy trace  -f FILE… --node NAME [--node-ip IP]… [--config FILE] --src IP --dst IP --dport N [--proto P] [--json]

${PROXY_RENDER_HELP}
${PROXY_TRACE_HELP}`;

export async function proxy(argv: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'render') return proxyRender(rest, io);
  if (sub === 'trace') return proxyTrace(rest, io);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(PROXY_HELP);
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command "${sub}" for "kubemu proxy"`, 'proxy');
}
