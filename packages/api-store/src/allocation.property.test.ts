// Property: whatever mix of concurrent creates (on two api-stores sharing one log), deletes and
// kill -9 restarts happens, no clusterIP or nodePort is ever held by two Services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startApiStore, startNats, type ApiStoreHandle, type NatsHandle } from '@kubemu/testkit';

// Small ranges so that collisions and "range is full" are likely.
const CIDR = '10.96.0.0/27'; // 30 usable addresses, kubernetes and kube-dns hold two of them
const NODE_PORTS = '30000-30019';

let nats: NatsHandle;
const stores: ApiStoreHandle[] = [];
let serial = 0;

async function startStore(i: number, tokenFile?: string): Promise<ApiStoreHandle> {
  return startApiStore({
    natsUrl: nats.url,
    instanceId: `s${i}`,
    serviceClusterIPRange: CIDR,
    serviceNodePortRange: NODE_PORTS,
    ...(tokenFile ? { tokenFile } : {}),
  });
}

beforeAll(async () => {
  nats = await startNats();
  stores[0] = await startStore(0);
  stores[1] = await startStore(1, stores[0]!.tokenFile);
}, 60_000);

afterAll(async () => {
  for (const s of stores) await s?.process.stop();
  await nats?.stop();
});

type Command =
  | { op: 'create'; count: number; nodePort: boolean; explicitPort: number | undefined }
  | { op: 'delete'; pick: number }
  | { op: 'restart'; store: 0 | 1 };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      count: fc.integer({ min: 1, max: 4 }),
      nodePort: fc.boolean(),
      explicitPort: fc.option(fc.integer({ min: 30000, max: 30019 }), { nil: undefined }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const), store: fc.constantFrom(0 as const, 1 as const) }) },
);

async function services(store: ApiStoreHandle): Promise<any[]> {
  const list = JSON.parse(await (await store.fetch('/api/v1/namespaces/default/services')).text());
  return list.items.filter((s: any) => s.metadata.name.startsWith('p-'));
}

function assertNoDoubleAllocation(all: any[]): void {
  const ips = new Map<string, string>();
  const ports = new Map<number, string>();
  for (const s of all) {
    const name = s.metadata.name as string;
    for (const ip of s.spec.clusterIPs ?? []) {
      expect(ips.get(ip), `clusterIP ${ip} of ${name}`).toBeUndefined();
      ips.set(ip, name);
    }
    const own = new Set<number>();
    for (const p of s.spec.ports ?? []) if (p.nodePort) own.add(p.nodePort);
    for (const p of own) {
      expect(ports.get(p), `nodePort ${p} of ${name}`).toBeUndefined();
      ports.set(p, name);
    }
  }
}

async function run(commands: Command[]): Promise<void> {
  for (const s of await services(stores[0]!)) await stores[0]!.fetch(`/api/v1/namespaces/default/services/${s.metadata.name}`, { method: 'DELETE' });
  for (const c of commands) {
    if (c.op === 'create') {
      // The same batch goes to both stores at once: they race on the one log.
      const bodies = Array.from({ length: c.count }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `p-${++serial}` },
        spec: {
          type: c.nodePort ? 'NodePort' : 'ClusterIP',
          ports: [{ port: 80, ...(c.nodePort && c.explicitPort !== undefined && i === 0 ? { nodePort: c.explicitPort } : {}) }],
        },
      }));
      const results = await Promise.all(
        bodies.map((b, i) => stores[i % 2]!.fetch('/api/v1/namespaces/default/services', { method: 'POST', body: JSON.stringify(b) })),
      );
      for (const r of results) {
        const body = JSON.parse(await r.text());
        // 201, or refused cleanly: taken/full values are errors, never a double assignment.
        expect([201, 422, 500], JSON.stringify(body)).toContain(r.status);
      }
    } else if (c.op === 'delete') {
      const live = await services(stores[0]!);
      if (live.length > 0) {
        const victim = live[c.pick % live.length];
        await stores[1]!.fetch(`/api/v1/namespaces/default/services/${victim.metadata.name}`, { method: 'DELETE' });
      }
    } else {
      const old = stores[c.store]!;
      await old.process.kill('SIGKILL');
      stores[c.store] = await startStore(c.store, old.tokenFile);
    }
    const seen = await services(stores[0]!);
    assertNoDoubleAllocation(seen);
  }
  // Both stores fold the same log into the same objects.
  const a = await services(stores[0]!);
  const b = await services(stores[1]!);
  expect(b.map((s) => s.metadata.resourceVersion)).toEqual(a.map((s) => s.metadata.resourceVersion));
}

describe('allocation under concurrent writers and restarts', () => {
  it('never hands a clusterIP or nodePort to two Services', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 14 }), run), { numRuns: 15 });
  }, 600_000);
});
