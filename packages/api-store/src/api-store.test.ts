// The api-store as a process: real nats-server, real api-store, real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus } from '@kubemu/bus';
import { startApiStore, startNats, type ApiStoreHandle, type NatsHandle } from '@kubemu/testkit';

let nats: NatsHandle;
let api: ApiStoreHandle;

const myNginx = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', labels: { run: 'my-nginx' } },
  spec: {
    type: 'NodePort',
    ports: [
      { port: 8080, targetPort: 80, protocol: 'TCP', name: 'http' },
      { port: 443, protocol: 'TCP', name: 'https' },
    ],
    selector: { app: 'nginx' },
  },
};

async function json(res: Response): Promise<any> {
  return JSON.parse(await res.text());
}

async function create(a: ApiStoreHandle, body: unknown, ns = 'default'): Promise<{ code: number; body: any }> {
  const res = await a.fetch(`/api/v1/namespaces/${ns}/services`, { method: 'POST', body: JSON.stringify(body) });
  return { code: res.status, body: await json(res) };
}

async function head(a: ApiStoreHandle): Promise<number> {
  const list = await json(await a.fetch('/api/v1/namespaces'));
  return Number(list.metadata.resourceVersion);
}

beforeAll(async () => {
  nats = await startNats();
  api = await startApiStore({ natsUrl: nats.url, watchWindow: 50 });
}, 60_000);

afterAll(async () => {
  await api?.process.stop();
  await nats?.stop();
});

describe('bootstrap', () => {
  it('creates the system namespaces and the kubernetes and kube-dns Services', async () => {
    const ns = await json(await api.fetch('/api/v1/namespaces'));
    expect(ns.items.map((n: any) => [n.metadata.name, n.status.phase])).toEqual([
      ['default', 'Active'],
      ['kube-node-lease', 'Active'],
      ['kube-public', 'Active'],
      ['kube-system', 'Active'],
    ]);
    const svcs = await json(await api.fetch('/api/v1/services'));
    expect(
      svcs.items.map((s: any) => [s.metadata.namespace, s.metadata.name, s.spec.clusterIP, s.spec.ports.map((p: any) => `${p.name}:${p.port}/${p.protocol}`).join(',')]),
    ).toEqual([
      ['default', 'kubernetes', '10.96.0.1', `https:443/TCP`],
      ['kube-system', 'kube-dns', '10.96.0.10', 'dns:53/UDP,dns-tcp:53/TCP,metrics:9153/TCP'],
    ]);
  });

  it('refuses requests without the bearer token with 401 Unauthorized', async () => {
    const res = await api.fetchAnonymous('/api/v1/services');
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect((await api.fetchAnonymous('/healthz')).status).toBe(200);
  });
});

describe('admission', () => {
  it('creates the seed my-nginx NodePort Service with a clusterIP and nodePorts from the ranges', async () => {
    const { code, body } = await create(api, myNginx);
    expect(code).toBe(201);
    const ip = body.spec.clusterIP as string;
    expect(ip).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(body.spec.clusterIPs).toEqual([ip]);
    const [http, https] = body.spec.ports;
    expect(http).toEqual({ name: 'http', protocol: 'TCP', port: 8080, targetPort: 80, nodePort: http.nodePort });
    expect(https).toEqual({ name: 'https', protocol: 'TCP', port: 443, targetPort: 443, nodePort: https.nodePort });
    for (const p of [http.nodePort, https.nodePort]) expect(p >= 30000 && p <= 32767).toBe(true);
    expect(http.nodePort).not.toBe(https.nodePort);
    expect(body.spec.externalTrafficPolicy).toBe('Cluster');
    expect(body.metadata.resourceVersion).toBe(String(await head(api)));
    const got = await json(await api.fetch('/api/v1/namespaces/default/services/my-nginx'));
    expect(got).toEqual(body);
  });

  it('refuses invalid Services with Kubernetes’ exact messages and writes nothing', async () => {
    const taken = (await json(await api.fetch('/api/v1/namespaces/default/services/my-nginx'))).spec.ports[0].nodePort;
    const before = await head(api);
    const cases: [unknown, string][] = [
      [
        { metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 40000 }] } },
        'Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
      ],
      [
        { metadata: { name: 'taken' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: taken }] } },
        `Service "taken" is invalid: spec.ports[0].nodePort: Invalid value: ${taken}: provided port is already allocated`,
      ],
      [
        { metadata: { name: 'dup' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] } },
        'Service "dup" is invalid: spec.ports[1].name: Duplicate value: "http"',
      ],
      [{ metadata: { name: 'noname' }, spec: { ports: [{ port: 80 }, { port: 81 }] } }, 'Service "noname" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]'],
      [{ metadata: { name: 'ext' }, spec: { type: 'ExternalName' } }, 'Service "ext" is invalid: spec.externalName: Required value'],
      [
        { metadata: { name: 'My_Svc' }, spec: { ports: [{ port: 80 }] } },
        `Service "My_Svc" is invalid: metadata.name: Invalid value: "My_Svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
      [
        { metadata: { name: 'proto' }, spec: { ports: [{ port: 80, protocol: 'HTTP' }] } },
        'Service "proto" is invalid: spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
      [
        { metadata: { name: 'range' }, spec: { clusterIP: '10.0.0.5', ports: [{ port: 80 }] } },
        'Service "range" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await create(api, { apiVersion: 'v1', kind: 'Service', ...(body as object) });
      expect([res.code, res.body.reason, res.body.message]).toEqual([422, 'Invalid', message]);
    }
    expect(await head(api)).toBe(before);
  });

  it('answers a stale resourceVersion with 409 Conflict: of two racing writers exactly one wins', async () => {
    const current = await json(await api.fetch('/api/v1/namespaces/default/services/my-nginx'));
    const put = (label: string) =>
      api.fetch('/api/v1/namespaces/default/services/my-nginx', {
        method: 'PUT',
        body: JSON.stringify({ ...current, metadata: { ...current.metadata, labels: { run: label } } }),
      });
    const results = await Promise.all([put('a'), put('b')]);
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([200, 409]);
    const loser = await json(results.find((r) => r.status === 409)!);
    expect(loser.message).toBe(
      'Operation cannot be fulfilled on services "my-nginx": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('keeps allocated values when an update omits them, and merge-patches', async () => {
    const current = await json(await api.fetch('/api/v1/namespaces/default/services/my-nginx'));
    const res = await api.fetch('/api/v1/namespaces/default/services/my-nginx', {
      method: 'PUT',
      body: JSON.stringify({ ...myNginx, metadata: { ...myNginx.metadata, resourceVersion: current.metadata.resourceVersion } }),
    });
    const updated = await json(res);
    expect(res.status).toBe(200);
    expect(updated.spec.clusterIP).toBe(current.spec.clusterIP);
    expect(updated.spec.ports.map((p: any) => p.nodePort)).toEqual(current.spec.ports.map((p: any) => p.nodePort));
    const patched = await api.fetch('/api/v1/namespaces/default/services/my-nginx', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { tier: 'web' } } }),
    });
    expect((await json(patched)).metadata.labels).toEqual({ run: 'my-nginx', tier: 'web' });
  });
});

describe('reads and watches', () => {
  it('lists with label and field selectors', async () => {
    const byLabel = await json(await api.fetch('/api/v1/services?labelSelector=' + encodeURIComponent('tier in (web,db),run')));
    expect(byLabel.items.map((s: any) => s.metadata.name)).toEqual(['my-nginx']);
    const byField = await json(await api.fetch('/api/v1/services?fieldSelector=metadata.namespace=kube-system'));
    expect(byField.items.map((s: any) => s.metadata.name)).toEqual(['kube-dns']);
    const bad = await api.fetch('/api/v1/services?fieldSelector=spec.bogus=1');
    expect([bad.status, (await json(bad)).message]).toEqual([400, 'field label not supported: spec.bogus']);
  });

  it('watches from a resourceVersion, and answers 410 Expired once the window has moved past it', async () => {
    const from = await head(api);
    const res = await api.fetch(`/api/v1/namespaces/default/services?watch=true&resourceVersion=${from}`);
    const reader = res.body!.getReader();
    const created = await create(api, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'watched' }, spec: { ports: [{ port: 80 }] } });
    await api.fetch('/api/v1/namespaces/default/services/watched', { method: 'DELETE' });
    let text = '';
    while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.metadata.name, Number(e.object.metadata.resourceVersion)])).toEqual([
      ['ADDED', 'watched', Number(created.body.metadata.resourceVersion)],
      ['DELETED', 'watched', Number(created.body.metadata.resourceVersion) + 1],
    ]);
    // The window holds 50 events; push it past `from`.
    for (let i = 0; i < 30; i++) {
      await create(api, { apiVersion: 'v1', kind: 'Service', metadata: { name: `filler-${i}` }, spec: { ports: [{ port: 80 }] } });
      await api.fetch(`/api/v1/namespaces/default/services/filler-${i}`, { method: 'DELETE' });
    }
    const gone = await api.fetch(`/api/v1/namespaces/default/services?watch=true&resourceVersion=${from}`);
    const status = await json(gone);
    expect([gone.status, status.reason]).toEqual([410, 'Expired']);
    expect(status.message).toMatch(new RegExp(`^too old resource version: ${from} \\(\\d+\\)$`));
  });
});

describe('the log is the truth', () => {
  it('skips and counts a malformed message on the bus without crashing, and keeps serving writes', async () => {
    const bus = await connectBus({ servers: nats.url, name: 'test-garbage' });
    await bus.js.publish('kubemu.obj.services.default.garbage', new Uint8Array([0xff, 0xfe, 0x01]));
    await bus.close();
    const after = await create(api, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'after-garbage' }, spec: { ports: [{ port: 80 }] } });
    expect(after.code).toBe(201);
    const metrics = await (await api.fetchAnonymous('/metrics')).text();
    expect(metrics).toMatch(/kubemu_events_rejected_total\{reason="codec"\} 1/);
    expect((await api.fetch('/api/v1/namespaces/default/services/garbage')).status).toBe(404);
  });

  it('rebuilds every object, resourceVersion and allocation after kill -9 and restart', async () => {
    const before = await json(await api.fetch('/api/v1/services'));
    await api.process.kill('SIGKILL');
    api = await startApiStore({ natsUrl: nats.url, tokenFile: api.tokenFile, watchWindow: 50 });
    const after = await json(await api.fetch('/api/v1/services'));
    expect(after.items).toEqual(before.items);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const myNginxNow = before.items.find((s: any) => s.metadata.name === 'my-nginx');
    const clash = await create(api, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'clash' },
      spec: { type: 'NodePort', clusterIP: myNginxNow.spec.clusterIP, ports: [{ port: 80 }] },
    });
    expect(clash.body.message).toBe(
      `Service "clash" is invalid: spec.clusterIPs: Invalid value: []string{"${myNginxNow.spec.clusterIP}"}: failed to allocate IP ${myNginxNow.spec.clusterIP}: provided IP is already allocated`,
    );
  }, 60_000);
});

describe('field validation', () => {
  it('refuses unknown fields with fieldValidation=Strict, warns by default', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'strict' }, spec: { bogus: true, ports: [{ port: 80 }] } });
    const strict = await api.fetch('/api/v1/namespaces/default/services?fieldValidation=Strict', { method: 'POST', body });
    expect([strict.status, (await json(strict)).message]).toEqual([
      400,
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.bogus"',
    ]);
    const warn = await api.fetch('/api/v1/namespaces/default/services', { method: 'POST', body });
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"spec.bogus\\""');
  });
});
