// Starting and stopping the component table's processes, shared by `up`, `down` and `status`.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { freePort } from '@kubemu/testkit';
import { LOOPBACK, logFileOf, type Component, type ComponentContext } from './components.js';
import { isAlive, logTail, spawnLogged, stopProcess, type Launched, type StopOutcome } from './process-control.js';
import { writeClusterRecord, type ClusterRecord, type RunningComponent, type StatePaths } from './state-dir.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/**
 * The port an instance listens on: the one asked for (0: any free one), else the one it had
 * last, else its default, else any free one. An asked-for port that is taken is an error; a
 * remembered or default one that is taken is just passed over.
 */
export async function choosePort(requested: number | undefined, previous: number | undefined, defaultPort: number | undefined, flag: string): Promise<number> {
  if (requested !== undefined) {
    if (requested === 0) return freePort(LOOPBACK);
    if (await isPortFree(requested)) return requested;
    throw new PortInUseError(`port ${requested} on ${LOOPBACK} is in use; pass ${flag} with another port (0 picks a free one)`);
  }
  for (const candidate of [previous, defaultPort]) {
    if (candidate !== undefined && candidate > 0 && (await isPortFree(candidate))) return candidate;
  }
  return freePort(LOOPBACK);
}

/** The bearer token the api-store checks and the kubeconfig carries; made once per cluster. */
export function ensureToken(file: string): string {
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token !== '') return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export class ComponentStartError extends Error {
  override name = 'ComponentStartError';
}

export interface StartedInstance {
  component: Component;
  record: RunningComponent;
  launched: Launched;
}

/**
 * Starts one instance and waits until its probe passes, its process exits, an instance started
 * before it dies (`othersFailed` says which), or the timeout.
 */
export async function startInstance(
  component: Component,
  instance: string,
  ctx: ComponentContext,
  othersFailed: () => string | undefined = () => undefined,
): Promise<StartedInstance> {
  component.prepare?.(instance, ctx);
  const spec = component.launch(instance, ctx);
  const log = logFileOf(ctx.paths, instance);
  const launched = await spawnLogged(spec, log);
  const record: RunningComponent = {
    name: instance,
    pid: launched.pid,
    identity: spec.identity,
    command: [spec.command, ...spec.args],
    log,
  };
  const port = ctx.ports[instance];
  if (port !== undefined) record.port = port;
  const url = component.url?.(instance, ctx);
  if (url !== undefined) record.url = url;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void launched.exited.then((e) => (exit = e));
  const deadline = Date.now() + component.readyTimeoutMs;
  for (;;) {
    if (exit) {
      throw new ComponentStartError(
        `${instance} exited during start (code ${exit.code}, signal ${exit.signal}); ${log} ends with:\n${logTail(log)}`,
      );
    }
    if (await component.probe(instance, ctx)) return { component, record, launched };
    const failed = othersFailed();
    if (failed !== undefined || Date.now() >= deadline) {
      await stopProcess(launched.pid, undefined, component.stopGraceMs);
      if (failed !== undefined) throw new ComponentStartError(`${failed} while ${instance} was starting`);
      throw new ComponentStartError(`${instance} was not ready within ${component.readyTimeoutMs} ms; ${log} ends with:\n${logTail(log)}`);
    }
    await sleep(100);
  }
}

/** cluster.json with what runs so far, so that a `down` can clean up even after a failed `up`. */
export function recordRunning(paths: StatePaths, base: Omit<ClusterRecord, 'components'>, started: readonly StartedInstance[]): void {
  writeClusterRecord(paths, { ...base, components: started.map((s) => s.record) });
}

export interface StopReport {
  name: string;
  pid: number;
  outcome: StopOutcome;
}

/** Stops the recorded processes in reverse start order. */
export async function stopComponents(components: readonly RunningComponent[], graceMs: (name: string) => number): Promise<StopReport[]> {
  const reports: StopReport[] = [];
  for (const c of [...components].reverse()) {
    reports.push({ name: c.name, pid: c.pid, outcome: await stopProcess(c.pid, c.identity, graceMs(c.name)) });
  }
  return reports;
}

export function aliveComponents(record: ClusterRecord): RunningComponent[] {
  return record.components.filter((c) => isAlive(c.pid, c.identity));
}
