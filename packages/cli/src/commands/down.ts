// `kubemu down`: stop what cluster.json lists, newest first; the data stays for the next `up`.
import { booleanFlag, parseCommandArgs } from '../args.js';
import { stopComponents } from '../cluster-control.js';
import { componentOfInstance } from '../components.js';
import type { CliIO } from '../io.js';
import { isAlive, waitForExit } from '../process-control.js';
import { readClusterRecord, readSettings, removeClusterRecord, resolveStateDir, statePaths } from '../state-dir.js';
import { stateDirArgument } from './up.js';

export const DOWN_HELP = `Stop the kubemu cluster. Its data (the event log, the token, the kubeconfig) stays,
so the next \`kubemu up\` resumes the same cluster.

Usage:
  kubemu down [--state-dir DIR]
`;

/** How long a foreground `kubemu up` gets to stop its processes itself. */
const SUPERVISOR_GRACE_MS = 30_000;

export async function down(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('down', argv, {}, false);
  if (booleanFlag(args, 'help')) {
    io.out(DOWN_HELP);
    return 0;
  }
  const paths = statePaths(resolveStateDir(args, io));
  const record = readClusterRecord(paths);
  if (!record) {
    io.out(`kubemu: no cluster is running in ${paths.root}\n`);
    return 0;
  }
  const supervisor = record.supervisor;
  let supervised = false;
  if (supervisor && supervisor.pid !== process.pid && isAlive(supervisor.pid, supervisor.identity)) {
    // A foreground `kubemu up` owns the processes: let it stop them in order and clean up.
    supervised = true;
    process.kill(supervisor.pid, 'SIGTERM');
    if (await waitForExit(supervisor.pid, supervisor.identity, SUPERVISOR_GRACE_MS)) io.out(`kubemu up (pid ${supervisor.pid}) stopped its processes\n`);
    else io.err(`kubemu: kubemu up (pid ${supervisor.pid}) did not stop in time\n`);
  }
  const settings = readSettings(paths);
  const reports = await stopComponents(record.components, (name) => (settings && componentOfInstance(name, settings)?.stopGraceMs) || 10_000);
  for (const r of reports) {
    if (supervised && r.outcome === 'not-running') continue;
    const what = r.outcome === 'terminated' ? 'stopped' : r.outcome === 'killed' ? 'killed (it did not stop within its grace period)' : 'was not running';
    io.out(`${r.name} (pid ${r.pid}) ${what}\n`);
  }
  removeClusterRecord(paths);
  io.out(`kubemu: the cluster is down; its data stays in ${paths.root} (\`kubemu up${stateDirArgument(paths, io)}\` resumes it)\n`);
  return 0;
}
