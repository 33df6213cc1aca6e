// `kubemu exec POD [-n NS] [-i] -- COMMAND [ARGS...]`: kubectl exec's shape. The command runs on
// the node hosting the pod, inside the pod's network (the node's kubelet API, authenticated with
// the cluster token); its output and exit code come back as kubectl exec passes them through.
import { request } from 'node:http';
import { nodeRoute, resourceByKind, type Node, type Pod, type ResourceInfo } from '@kubemu/core';
import { booleanFlag, parseCommandArgs, stringFlag, UsageError } from '../args.js';
import { connect, NoClusterError } from '../cluster-access.js';
import type { CliIO } from '../io.js';
import { readKubeconfig } from '../kubeconfig.js';
import { resolveStateDir, statePaths } from '../state-dir.js';

export const EXEC_HELP = `Run a command inside a pod's network, as kubectl exec does.

Usage:
  kubemu exec POD [-n NS] [-i] -- COMMAND [ARGS...]

Commands (emulated clients): curl URL [-v] [-s] [--max-time S], nc [-z] [-u] [-v] [-w S] HOST PORT,
nslookup NAME, dig NAME [TYPE], cat /etc/resolv.conf, hostname.

Options:
  -n, --namespace NS   the pod's namespace (default: the kubeconfig's, else default)
  -i, --stdin          pass standard input to the command
`;

const FLAGS = { namespace: { type: 'string', short: 'n' }, stdin: { type: 'boolean', short: 'i' }, tty: { type: 'boolean', short: 't' } } as const;
const PODS = resourceByKind('Pod') as ResourceInfo;
const NODES = resourceByKind('Node') as ResourceInfo;
/** The exec answer a node may send back. */
const MAX_EXEC_RESPONSE_BYTES = 4 * 1024 * 1024;

interface ExecAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  message?: string;
}

function postExec(url: string, token: string, body: unknown): Promise<{ status: number; answer: ExecAnswer }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_EXEC_RESPONSE_BYTES) req.destroy(new Error(`exec answer over ${MAX_EXEC_RESPONSE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, answer: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExecAnswer });
        } catch {
          resolve({ status: res.statusCode ?? 0, answer: { message: Buffer.concat(chunks).toString('utf8') } });
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

export async function exec(argv: readonly string[], io: CliIO): Promise<number> {
  const dash = argv.indexOf('--');
  const before = dash >= 0 ? argv.slice(0, dash) : argv;
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  const args = parseCommandArgs('exec', before, FLAGS);
  if (booleanFlag(args, 'help')) {
    io.out(EXEC_HELP);
    return 0;
  }
  const [podName, ...extra] = args.positionals;
  if (podName === undefined) throw new UsageError('exec requires a pod name: kubemu exec POD -- COMMAND [args...]', 'exec');
  const cmd = [...extra, ...command];
  if (cmd.length === 0) throw new UsageError('you must specify at least one command for the container', 'exec');
  const { client, defaultNamespace } = connect(args, io);
  const namespace = stringFlag(args, 'namespace') ?? defaultNamespace;
  const pod = (await client.get(PODS, namespace, podName)) as Pod;
  const nodeName = pod.spec?.nodeName;
  if (!nodeName || pod.status?.phase === 'Pending' || !pod.status?.podIP) {
    io.err(`error: unable to upgrade connection: pod ${podName} has no running containers yet (phase ${pod.status?.phase ?? 'Pending'})\n`);
    return 1;
  }
  if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') {
    io.err(`error: cannot exec into a container in a completed pod; current phase is ${pod.status.phase}\n`);
    return 1;
  }
  const route = nodeRoute((await client.get(NODES, undefined, nodeName)) as Node);
  if (!route || route.kubeletPort === 0) {
    io.err(`error: unable to upgrade connection: node ${nodeName} does not publish its kubelet endpoint\n`);
    return 1;
  }
  const paths = statePaths(resolveStateDir(args, io));
  const token = readKubeconfig(paths.kubeconfigFile)?.token;
  if (token === undefined) throw new NoClusterError(`no cluster in ${paths.root}`);
  const stdin = booleanFlag(args, 'stdin') ? await io.readStdin() : undefined;
  let reply: { status: number; answer: ExecAnswer };
  try {
    reply = await postExec(`http://${route.address}:${route.kubeletPort}/exec/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}`, token, {
      command: cmd,
      ...(stdin !== undefined ? { stdin } : {}),
    });
  } catch (err) {
    io.err(`error: unable to upgrade connection: ${(err as Error).message}\n`);
    return 1;
  }
  if (reply.status !== 200) {
    io.err(`error: unable to upgrade connection: ${reply.answer.message ?? `HTTP ${reply.status}`}\n`);
    return 1;
  }
  io.out(reply.answer.stdout ?? '');
  io.err(reply.answer.stderr ?? '');
  const code = reply.answer.exitCode ?? 1;
  // kubectl exec: a non-zero exit is reported and becomes kubectl's own exit code.
  if (code !== 0) io.err(`command terminated with exit code ${code}\n`);
  return code;
}
