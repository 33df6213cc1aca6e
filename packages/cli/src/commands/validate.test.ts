import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { bufferIO } from '../io.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED = `apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  labels:
    run: my-nginx
spec:
  type: NodePort
  ports:
  - port: 8080
    targetPort: 80
    protocol: TCP
    name: http
  - port: 443
    protocol: TCP
    name: https
  selector:
    app: nginx
`;

const nodePortService = (name: string, nodePort: number): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: ${nodePort}\n`;

async function validate(files: Record<string, string>, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const args: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    args.push('-f', join(dir, name));
  }
  const io = bufferIO({ cwd: dir });
  const code = await runCli(['validate', ...args, '--state-dir', join(dir, 'no-cluster'), ...extra], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('kubemu validate', () => {
  it("accepts the seed's Service", async () => {
    expect(await validate({ 'seed.yaml': SEED })).toEqual({ code: 0, stdout: 'service/my-nginx valid\n', stderr: '' });
  });

  it('admits in file order: a nodePort taken earlier in the same files is refused', async () => {
    const result = await validate({ 'a.yaml': nodePortService('a', 30080), 'b.yaml': nodePortService('b', 30080) + '---\n' + nodePortService('c', 40000) });
    expect(result).toEqual({
      code: 1,
      stdout: 'service/a valid\n',
      stderr:
        'The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n' +
        'The Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    });
  });

  it('prints every cause of an invalid object, and goes on with the next', async () => {
    const dup = `apiVersion: v1\nkind: Service\nmetadata:\n  name: d\nspec:\n  ports:\n  - {port: 80, name: http}\n  - {port: 81, name: http}\n  - {port: 82}\n`;
    expect(await validate({ 'dup.yaml': dup + '---\n' + SEED })).toEqual({
      code: 1,
      stdout: 'service/my-nginx valid\n',
      stderr: 'The Service "d" is invalid: \n* spec.ports[1].name: Duplicate value: "http"\n* spec.ports[2].name: Required value\n',
    });
  });

  it('knows the bootstrap objects: kube-dns holds 10.96.0.10, namespaces must exist', async () => {
    const taken = `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  clusterIP: 10.96.0.10\n  ports:\n  - port: 80\n`;
    const elsewhere = `apiVersion: v1\nkind: Service\nmetadata:\n  name: y\n  namespace: nope\nspec:\n  ports:\n  - port: 80\n`;
    const result = await validate({ 'ip.yaml': taken + '---\n' + elsewhere });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'The Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated\n' +
        'Error from server (NotFound): namespaces "nope" not found\n',
    );
  });

  it('uses the node-port range it is given', async () => {
    expect(await validate({ 'np.yaml': nodePortService('a', 30080) }, ['--service-node-port-range', '31000-31999'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'The Service "a" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 31000-31999\n',
    });
  });

  it('treats a second manifest of the same object as apply would: an update', async () => {
    const changed = SEED.replace('type: NodePort', 'type: ClusterIP');
    expect(await validate({ 'twice.yaml': SEED + '---\n' + SEED + '---\n' + changed })).toEqual({
      code: 0,
      stdout: 'service/my-nginx valid\nservice/my-nginx valid\nservice/my-nginx valid\n',
      stderr: '',
    });
  });

  it('reports unknown kinds and unreadable files', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';
    expect(await validate({ 'cm.yaml': cm })).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: resource mapping not found for name: "c" namespace: "" from "${join(dir, 'cm.yaml')}": no matches for kind "ConfigMap" in version "v1"\nensure CRDs are installed first\n`,
    });
  });
});
