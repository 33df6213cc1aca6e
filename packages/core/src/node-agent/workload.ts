// Which emulated program a container runs, and on which ports it listens, from its image, command
// and args. agnhost's subcommands listen on their flag ports whatever containerPorts say
// (test/images/agnhost serve-hostname: --port 9376, --http true, --tcp/--udp false; netexec:
// --http-port 8080, --udp-port 8081); any other image is taken as an HTTP server on its declared
// TCP containerPorts (port 80 when none, as nginx's default).
import type { Container, Pod } from '../api/types.js';

export const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost';

export type WorkloadProgram = 'serve-hostname' | 'netexec' | 'http-responder';

export interface WorkloadListener {
  protocol: 'TCP' | 'UDP';
  port: number;
  /** What answers on it: HTTP, or serve-hostname's raw TCP/UDP modes, or netexec's UDP commands. */
  serves: 'http' | 'raw-hostname' | 'udp-hostname' | 'netexec-udp' | 'udp-echo';
}

export interface Workload {
  container: string;
  program: WorkloadProgram;
  listeners: WorkloadListener[];
  /** Why a container runs nothing (bad flags): the shell logs it, the pod still runs. */
  problem?: string;
}

function imageName(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Go's flag package: -f, --f, -f=v, --f=v, -f v; booleans take no separate value. */
function parseGoFlags(args: readonly string[], booleans: ReadonlySet<string>): { flags: Map<string, string>; error?: string } {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) return { flags, error: `unexpected argument ${a}` };
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) flags.set(body.slice(0, eq), body.slice(eq + 1));
    else if (booleans.has(body)) flags.set(body, 'true');
    else if (i + 1 < args.length) flags.set(body, args[++i]!);
    else return { flags, error: `flag needs an argument: -${body}` };
  }
  return { flags };
}

function portFlag(flags: Map<string, string>, name: string, fallback: number): number | string {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= -1 && n <= 65535 ? n : `invalid value "${v}" for flag -${name}`;
}

function agnhostWorkload(container: Container): Workload {
  const name = container.name ?? '';
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv[0]?.endsWith('agnhost')) argv.shift();
  const [sub, ...rest] = argv;
  if (sub === 'serve-hostname') {
    const { flags, error } = parseGoFlags(rest, new Set(['tcp', 'udp', 'http', 'close']));
    const port = portFlag(flags, 'port', 9376);
    if (error || typeof port === 'string') return { container: name, program: 'serve-hostname', listeners: [], problem: error ?? String(port) };
    const on = (f: string, dflt: boolean): boolean => (flags.has(f) ? flags.get(f) !== 'false' : dflt);
    const http = on('http', true);
    const tcp = on('tcp', false);
    const udp = on('udp', false);
    if (http && (tcp || udp)) return { container: name, program: 'serve-hostname', listeners: [], problem: "Can't serve TCP/UDP mode and HTTP mode at the same time" };
    const listeners: WorkloadListener[] = [];
    if (http) listeners.push({ protocol: 'TCP', port, serves: 'http' });
    if (tcp) listeners.push({ protocol: 'TCP', port, serves: 'raw-hostname' });
    if (udp) listeners.push({ protocol: 'UDP', port, serves: 'udp-hostname' });
    return { container: name, program: 'serve-hostname', listeners };
  }
  if (sub === 'netexec') {
    const { flags, error } = parseGoFlags(rest, new Set(['http-override', 'delay-shutdown']));
    const http = portFlag(flags, 'http-port', 8080);
    const udp = portFlag(flags, 'udp-port', 8081);
    const bad = error ?? (typeof http === 'string' ? http : typeof udp === 'string' ? udp : undefined);
    if (bad !== undefined) return { container: name, program: 'netexec', listeners: [], problem: bad };
    const listeners: WorkloadListener[] = [{ protocol: 'TCP', port: http as number, serves: 'http' }];
    if ((udp as number) > 0) listeners.push({ protocol: 'UDP', port: udp as number, serves: 'netexec-udp' });
    return { container: name, program: 'netexec', listeners };
  }
  return { container: name, program: 'http-responder', listeners: [], problem: `agnhost subcommand ${JSON.stringify(sub ?? '')} is not emulated (serve-hostname and netexec are)` };
}

export function workloadOf(container: Container): Workload {
  if (imageName(container.image ?? '') === AGNHOST_IMAGE) return agnhostWorkload(container);
  const declared = (container.ports ?? []).filter((p) => p.containerPort !== undefined);
  const listeners: WorkloadListener[] =
    declared.length === 0
      ? [{ protocol: 'TCP', port: 80, serves: 'http' }]
      : declared.map((p) => (p.protocol === 'UDP' ? { protocol: 'UDP', port: p.containerPort!, serves: 'udp-echo' } : { protocol: 'TCP', port: p.containerPort!, serves: 'http' }));
  return { container: container.name ?? '', program: 'http-responder', listeners };
}

/** Every container's workload; a port two containers claim goes to the first (the second would fail to bind). */
export function podWorkloads(pod: Pod): Workload[] {
  const taken = new Set<string>();
  return (pod.spec?.containers ?? []).map((c) => {
    const w = workloadOf(c);
    const listeners = w.listeners.filter((l) => {
      const key = `${l.protocol}/${l.port}`;
      if (taken.has(key)) return false;
      taken.add(key);
      return true;
    });
    return { ...w, listeners };
  });
}

/** The hostname a pod's processes see: spec.hostname, else the pod name (truncated to 63). */
export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname || pod.metadata?.name || '').slice(0, 63);
}
