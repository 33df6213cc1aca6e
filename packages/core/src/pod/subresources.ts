// What kube-apiserver and the kubelet decide for the pods/log and pods/exec subresources, before
// any byte is streamed: which container (pkg/registry/core/pod/strategy.go validateContainer), where
// the pod's kubelet is, the exec options (PodExecOptions as query parameters), the Status the
// kubelet writes when a command ends, and how kube-apiserver reports a kubelet's error answer.
import type { Node, Pod } from '../api/types.js';
import { statusBadRequest, statusInternalError, statusNotFound, type Status } from '../api/status.js';
import { ANNOTATION_KUBELET_PORT } from '../node-agent/node-registration.js';

/** validateContainer: the one container by default; a name must be given when there are several, and must exist. */
export function podLogContainer(pod: Pod, requested: string | undefined): { container: string } | { status: Status } {
  const names = (pod.spec?.containers ?? []).map((c) => c.name ?? '');
  const podName = pod.metadata?.name ?? '';
  if (!requested) {
    if (names.length === 1) return { container: names[0]! };
    if (names.length === 0) return { status: statusBadRequest(`a container name must be specified for pod ${podName}`) };
    return { status: statusBadRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`) };
  }
  if (!names.includes(requested)) return { status: statusBadRequest(`container ${requested} is not valid for pod ${podName}`) };
  return { container: requested };
}

/** The kubelet API of a node: http://InternalIP:kubelet-port, or undefined before it registered one. */
export function kubeletLocation(node: Node | undefined): { host: string; port: number } | undefined {
  const host = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = Number(node?.metadata?.annotations?.[ANNOTATION_KUBELET_PORT]);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { host, port };
}

/** GenericHttpResponseChecker.Check: a kubelet's non-2xx answer as the Status kube-apiserver returns. */
export function kubeletErrorStatus(code: number, body: string, podName: string): Status {
  if (code === 400) return statusBadRequest(body);
  if (code === 500) return statusInternalError(body);
  if (code === 404) return { ...statusNotFound({ group: '', resource: 'pods/log' }, podName), message: body };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: body, reason: 'Unknown', code } as Status;
}

export interface PodExecOptions {
  command: string[];
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** strconv.ParseBool, which query parameters are converted with. */
function parseBool(value: string | null): boolean | undefined {
  if (value === null) return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** The PodExecOptions of a query, or the Status kube-apiserver and the kubelet answer for them. */
export function parsePodExecOptions(query: URLSearchParams): { ok: true; options: PodExecOptions } | { ok: false; status: Status } {
  const flags: Record<'stdin' | 'stdout' | 'stderr' | 'tty', boolean> = { stdin: false, stdout: false, stderr: false, tty: false };
  for (const name of ['stdin', 'stdout', 'stderr', 'tty'] as const) {
    const parsed = parseBool(query.get(name));
    if (parsed === undefined) return { ok: false, status: statusBadRequest(`strconv.ParseBool: parsing ${JSON.stringify(query.get(name))}: invalid syntax`) };
    flags[name] = parsed;
  }
  const command = query.getAll('command');
  if (command.length === 0) return { ok: false, status: statusBadRequest('you must specify at least one command for the container') };
  // remotecommand NewOptions (the kubelet's words).
  if (!flags.stdin && !flags.stdout && !flags.stderr) return { ok: false, status: statusBadRequest('you must specify at least 1 of stdin, stdout, stderr') };
  if (flags.tty && flags.stdin) {
    return {
      ok: false,
      status: statusBadRequest('kubemu: exec with a terminal (-t with -i) is not supported: the emulated commands have no terminal and run once stdin has ended; use kubectl exec -i POD -- COMMAND'),
    };
  }
  const container = query.get('container') ?? undefined;
  return { ok: true, options: { command, ...(container ? { container } : {}), ...flags } };
}

/**
 * The Status the kubelet writes on the error channel: Success, or NonZeroExitCode with the exit
 * code as the ExitCode cause (the message as containerd's exec error words it), which kubectl
 * turns into `command terminated with exit code N` and its own exit code. Key order as Go's
 * json.Marshal of metav1.Status.
 */
export function execExitStatus(command: readonly string[], exitCode: number): string {
  if (exitCode === 0) return JSON.stringify({ metadata: {}, status: 'Success' });
  const rc = exitCode & 0xff;
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${rc}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(rc) }] },
  });
}

/** An api Status as the StreamTranslator writes it on the error channel (json.Marshal of metav1.Status: no kind, no apiVersion). */
export function errorChannelStatus(s: Status): string {
  return JSON.stringify({ metadata: {}, status: s.status, message: s.message, reason: s.reason, details: s.details, code: s.code });
}

