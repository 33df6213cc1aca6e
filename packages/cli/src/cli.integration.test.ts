// The `kubemu` executable against a real cluster: real nats-server, the real api-store, the
// built dist/main.js, in a temporary state folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageMain } from './components.js';
import { isAlive } from './process-control.js';
import type { ClusterRecord } from './state-dir.js';
import { SEED_MY_NGINX as SEED } from '@kubemu/testkit';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubemu-cli-it-'));
const stateDir = join(dir, 'state');
const recordFile = join(stateDir, 'cluster.json');
const seenPids = new Set<number>();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], stdin?: string): { child: ChildProcess; result: Promise<Result>; stdout: () => string } {
  const child = spawn(process.execPath, [CLI, ...args, '--state-dir', stateDir], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.end(stdin ?? '');
  const result = new Promise<Result>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, result: result.then((r) => ({ ...r, stdout, stderr })), stdout: () => stdout };
}

/** Waits until a foreground `up` has started everything and says so. */
async function untilUp(fg: ReturnType<typeof start>): Promise<void> {
  for (let i = 0; i < 600 && !fg.stdout().includes('Press Ctrl-C'); i++) {
    if (fg.child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  expect(fg.stdout()).toContain('Press Ctrl-C to stop it');
}

const kubemu = (args: string[], stdin?: string): Promise<Result> => start(args, stdin).result;

/** `kubemu status` until it exits 0: the proxy agents report their first sync shortly after `up` returns. */
async function convergedStatus(timeoutMs = 20_000): Promise<Result> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await kubemu(['status']);
    if (r.code === 0 || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function writeManifest(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function record(): ClusterRecord {
  const r = JSON.parse(readFileSync(recordFile, 'utf8')) as ClusterRecord;
  for (const c of r.components) seenPids.add(c.pid);
  return r;
}

/** kubectl's table layout (§e): every column but the last padded to its widest cell plus three spaces. */
function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('') + '\n').join('');
}

function inServiceCIDR(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b! >= 96 && b! <= 111;
}

const age = /^\d+s$/;
let myNginx: { ip: string; http: number; https: number };

beforeAll(() => {
  for (const built of [CLI, packageMain('api-store')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: build first (npm run build)`);
  }
});

afterAll(async () => {
  if (existsSync(recordFile)) {
    record();
    await kubemu(['down']);
  }
  const leaked = [...seenPids].filter((pid) => isAlive(pid));
  for (const pid of leaked) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  if (leaked.length > 0) throw new Error(`pids ${leaked.join(', ')} outlived the test`);
}, 60_000);

describe('kubemu against a real cluster', { timeout: 60_000 }, () => {
  it('up --detach starts nats-server and the api-store and returns', async () => {
    const r = await kubemu(['up', '--detach', '--api-port', '0', '--nodes', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rec = record();
    expect(rec.components.map((c) => c.name)).toEqual(['nats-server', 'api-store', 'controller-manager', 'node-1', 'node-2', 'proxy-agent-node-1', 'proxy-agent-node-2']);
    for (const c of rec.components) expect(isAlive(c.pid, c.identity), c.name).toBe(true);
    expect(rec.nodes).toBe(2);
    expect(r.stdout).toContain(`kubemu is up in ${stateDir}\n`);
    expect(r.stdout).toContain('The cluster runs 2 nodes, each with a proxy agent programming its Service rules');
    expect(r.stdout).toContain(`  export KUBECONFIG=${join(stateDir, 'kubeconfig')}\n`);
    const kubeconfig = await kubemu(['kubeconfig']);
    expect(kubeconfig.stdout).toContain(`    server: ${rec.urls['api-store']}\n`);
    expect(kubeconfig.stdout).toContain(`    token: ${readFileSync(join(stateDir, 'token'), 'utf8').trim()}\n`);
  });

  it('up again says the cluster runs, and exits 0', async () => {
    const r = await kubemu(['up', '--detach']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^kubemu: a cluster is already running in ${stateDir} \\(nats-server pid \\d+, api-store pid \\d+, controller-manager pid \\d+[,)]`));
  });

  it('status shows every process ready and, once the proxy agent has reported, the cluster converged', async () => {
    const r = await convergedStatus();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^convergence at revision \d+: converged\nNODE\s+PROXY AGENT REVISION\s+RULES DIGEST\s+CONVERGED\n(node-\d\s+\d+\s+sha256:[0-9a-f]{12}…\s+yes\n){2}$/m);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^COMPONENT\s+PID\s+STATE\s+URL$/);
    expect(lines[2]).toMatch(/^nats-server\s+\d+\s+ready\s+nats:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[3]).toMatch(/^api-store\s+\d+\s+ready\s+https:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[4]).toMatch(/^controller-manager\s+\d+\s+ready\s+http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.find((l) => l.startsWith('log revision:'))).toMatch(/^log revision: \d+$/);
  });

  it("apply creates the seed's Service", async () => {
    const r = await kubemu(['apply', '-f', writeManifest('my-nginx.yaml', SEED)]);
    expect(r).toEqual({ code: 0, stdout: 'service/my-nginx created\n', stderr: '' });
  });

  it("get svc my-nginx prints the seed's layout", async () => {
    const r = await kubemu(['get', 'svc', 'my-nginx']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const m = /^my-nginx +NodePort +(\S+) +<none> +8080:(\d+)\/TCP,443:(\d+)\/TCP +(\S+)$/.exec(r.stdout.split('\n')[1] ?? '');
    expect(m, r.stdout).not.toBeNull();
    const [, ip, http, https, ageCell] = m!;
    expect(inServiceCIDR(ip!), ip).toBe(true);
    expect(ageCell).toMatch(age);
    for (const p of [Number(http), Number(https)]) expect(p >= 30000 && p <= 32767, String(p)).toBe(true);
    expect(http).not.toBe(https);
    expect(r.stdout).toBe(
      columns([
        ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
        ['my-nginx', 'NodePort', ip!, '<none>', `8080:${http}/TCP,443:${https}/TCP`, ageCell!],
      ]),
    );
    myNginx = { ip: ip!, http: Number(http), https: Number(https) };
  });

  it('get svc -A shows kubernetes at 10.96.0.1 and kube-dns at 10.96.0.10', async () => {
    const r = await kubemu(['get', 'svc', '-A']);
    expect(r.code).toBe(0);
    const ages = r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ +/).pop()!);
    for (const a of ages) expect(a).toMatch(age);
    expect(r.stdout).toBe(
      columns([
        ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
        ['default', 'kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', ages[0]!],
        ['default', 'my-nginx', 'NodePort', myNginx.ip, '<none>', `8080:${myNginx.http}/TCP,443:${myNginx.https}/TCP`, ages[1]!],
        ['kube-system', 'kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', ages[2]!],
      ]),
    );
  });

  it('get says when nothing is found, and filters by label', async () => {
    expect(await kubemu(['get', 'deployments'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
    expect(await kubemu(['get', 'svc', '-A', '-l', 'run=my-nginx', '-o', 'name'])).toEqual({ code: 0, stdout: 'service/my-nginx\n', stderr: '' });
  });

  it('apply of the same manifest again is unchanged', async () => {
    expect(await kubemu(['apply', '-f', join(dir, 'my-nginx.yaml')])).toEqual({ code: 0, stdout: 'service/my-nginx unchanged\n', stderr: '' });
  });

  it('apply of a changed manifest (from stdin) is configured and keeps the allocations', async () => {
    const changed = SEED.replace('    run: my-nginx\n', '    run: my-nginx\n    tier: web\n');
    expect(await kubemu(['apply', '-f', '-'], changed)).toEqual({ code: 0, stdout: 'service/my-nginx configured\n', stderr: '' });
    const r = await kubemu(['get', 'svc', 'my-nginx', '-o', 'json']);
    const svc = JSON.parse(r.stdout) as { kind: string; metadata: { labels: Record<string, string> }; spec: { clusterIP: string; ports: { nodePort: number }[] } };
    expect(svc.kind).toBe('Service');
    expect(svc.metadata.labels).toEqual({ run: 'my-nginx', tier: 'web' });
    expect(svc.spec.clusterIP).toBe(myNginx.ip);
    expect(svc.spec.ports.map((p) => p.nodePort)).toEqual([myNginx.http, myNginx.https]);
    expect(await kubemu(['apply', '-f', '-'], changed)).toEqual({ code: 0, stdout: 'service/my-nginx unchanged\n', stderr: '' });
  });

  it("refuses an invalid Service with Kubernetes' text, exit 1, and writes nothing", async () => {
    const bad = writeManifest('bad.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad-port\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n');
    expect(await kubemu(['apply', '-f', bad])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'The Service "bad-port" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    });
    expect(await kubemu(['get', 'svc', 'bad-port'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): services "bad-port" not found\n' });
  });

  it('refuses a taken nodePort, and goes on with the other objects', async () => {
    const taken = writeManifest(
      'taken.yaml',
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: taken\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: ${myNginx.http}\n` +
        '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: extra\nspec:\n  ports:\n  - port: 80\n',
    );
    expect(await kubemu(['apply', '-f', taken])).toEqual({
      code: 1,
      stdout: 'service/extra created\n',
      stderr: `The Service "taken" is invalid: spec.ports[0].nodePort: Invalid value: ${myNginx.http}: provided port is already allocated\n`,
    });
  });

  it('get -o yaml, -o name, and describe', async () => {
    const yaml = await kubemu(['get', 'svc', 'my-nginx', '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    kubectl\.kubernetes\.io\/last-applied-configuration: \|\n      \{"apiVersion":"v1"/);
    expect(yaml.stdout).toContain(`  clusterIP: ${myNginx.ip}\n`);
    expect(await kubemu(['get', 'svc', '-o', 'name'])).toEqual({ code: 0, stdout: 'service/extra\nservice/kubernetes\nservice/my-nginx\n', stderr: '' });
    const d = await kubemu(['describe', 'svc', 'my-nginx']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^Name: +my-nginx\nNamespace: +default\nLabels: +run=my-nginx\n +tier=web\n/);
    expect(d.stdout).toMatch(new RegExp(`\\nNodePort: +http  ${myNginx.http}/TCP\\n`));
    expect(d.stdout).toMatch(new RegExp(`\\nIP: +${myNginx.ip.replace(/\./g, '\\.')}\\n`));
  });

  it('delete prints what kubectl prints', async () => {
    expect(await kubemu(['delete', 'svc', 'extra'])).toEqual({ code: 0, stdout: 'service "extra" deleted\n', stderr: '' });
    expect(await kubemu(['delete', 'svc', 'extra'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): services "extra" not found\n' });
    expect(await kubemu(['get', 'svc', 'nothing-here', 'extra'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): services "nothing-here" not found\nError from server (NotFound): services "extra" not found\n',
    });
  });

  it('down stops both processes and keeps the data', async () => {
    const rec = record();
    const r = await kubemu(['down']);
    expect(r.code).toBe(0);
    // Reverse start order: the per-node processes (if any), then the controller-manager.
    expect(r.stdout).toMatch(/^(?:(?:proxy-agent-)?node-\d+ \(pid \d+\) stopped\n)*controller-manager \(pid \d+\) stopped\napi-store \(pid \d+\) stopped\nnats-server \(pid \d+\) stopped\nkubemu: the cluster is down; its data stays in /);
    for (const c of rec.components) expect(isAlive(c.pid, c.identity), c.name).toBe(false);
    expect(existsSync(recordFile)).toBe(false);
    expect(existsSync(join(stateDir, 'nats'))).toBe(true);
    // SIGTERM left each agent's last snapshot (DESIGN "The event log").
    expect(existsSync(join(stateDir, 'snapshots', 'controller-manager.pb'))).toBe(true);
    expect(existsSync(join(stateDir, 'snapshots', 'proxy-agent-node-1.pb'))).toBe(true);
    expect(await kubemu(['status'])).toMatchObject({ code: 1, stdout: `kubemu: no cluster is running in ${stateDir} (a stopped cluster is there: \`kubemu up --state-dir state\` resumes it)\n` });
  });

  it('up in the foreground resumes the same cluster; down from elsewhere stops it cleanly', async () => {
    // A cluster.json whose processes are gone (a crash, a reboot) does not stop `up`.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((res) => gone.on('close', res));
    writeFileSync(recordFile, JSON.stringify({ version: 1, stateDir, startedAt: '', nodes: 1, urls: {}, kubeconfig: '', components: [{ name: 'api-store', pid: gone.pid, identity: join(stateDir, 'token'), command: [], log: '' }] }));
    const fg = start(['up']);
    await untilUp(fg);
    expect((await convergedStatus()).code).toBe(0);
    const rec = record();
    expect(rec.supervisor?.pid).toBe(fg.child.pid);
    for (const instance of ['controller-manager', 'proxy-agent-node-1']) {
      const lines = readFileSync(join(stateDir, 'logs', `${instance}.log`), 'utf8').split('\n');
      const resumed = lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as { msg?: string; revision?: number }];
        } catch {
          return [];
        }
      });
      expect(resumed.some((l) => l.msg === `resumed from snapshot at revision ${l.revision}` && Number(l.revision) > 1), instance).toBe(true);
    }
    const r = await kubemu(['get', 'svc', 'my-nginx', '-o', 'json']);
    const svc = JSON.parse(r.stdout) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
    expect(svc.spec.clusterIP).toBe(myNginx.ip);
    expect(svc.spec.ports.map((p) => p.nodePort)).toEqual([myNginx.http, myNginx.https]);

    const d = await kubemu(['down']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(new RegExp(`^kubemu up \\(pid ${fg.child.pid}\\) stopped its processes\nkubemu: the cluster is down;`));
    const fgResult = await fg.result;
    expect(fgResult.code).toBe(0);
    expect(fgResult.stdout).toContain('Press Ctrl-C to stop it');
    expect(fgResult.stderr).toBe(`kubemu: SIGTERM received; stopping the cluster\nkubemu: stopped; the data stays in ${stateDir}\n`);
    for (const c of rec.components) expect(isAlive(c.pid, c.identity), c.name).toBe(false);
    expect(existsSync(recordFile)).toBe(false);
  });

  it('a foreground up stops the cluster, exit 1, when one of its processes dies', async () => {
    const fg = start(['up']);
    await untilUp(fg);
    const rec = record();
    const nats = rec.components.find((c) => c.name === 'nats-server')!;
    process.kill(nats.pid, 'SIGKILL');
    const r = await Promise.race([
      fg.result,
      new Promise<Result>((_, reject) => setTimeout(() => reject(new Error(`foreground up still running 30 s after nats-server died`)), 30_000)),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `kubemu: nats-server exited (code null, signal SIGKILL); see ${nats.log}; stopping the cluster\nkubemu: stopped; the data stays in ${stateDir}\n`,
    );
    for (const c of rec.components) expect(isAlive(c.pid, c.identity), c.name).toBe(false);
    expect(existsSync(recordFile)).toBe(false);
  });
});
