import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { ConntrackTable, CONNTRACK_TIMEOUTS, type ConnTuple } from './conntrack.js';
import { FOUR_SERVICES_PAYLOAD, installJumps, NODE_1_IP, NODE_1_LOCAL } from './fixtures.test-data.js';
import { walkNewConnection } from './path.js';
import { emptyRecentTable } from './recent.js';
import { iptablesRestore } from './restore.js';
import { emptyTables } from './tables.js';
import { walk } from './walk.js';

const client: ConnTuple = { proto: 'tcp', src: '203.0.113.7', sport: 40000, dst: NODE_1_IP, dport: 31589 };

function firstPacket(tables = iptablesRestore(installJumps(emptyTables()), FOUR_SERVICES_PAYLOAD), seed = 1) {
  return walkNewConnection(tables, { ...client, mark: 0, localAddresses: NODE_1_LOCAL, ctState: 'NEW' }, 'incoming', { random: seededRandom(seed), recent: emptyRecentTable(), now: 0 });
}

describe('conntrack', () => {
  it('an established connection keeps its endpoint when the rules change; a new one follows the new rules', () => {
    const ct = new ConntrackTable(16);
    const first = firstPacket();
    expect(first.packet.dst).toBe('10.244.2.2');
    const translated: ConnTuple = { ...client, dst: first.packet.dst, dport: first.packet.dport, src: NODE_1_IP, sport: 51000 };
    expect(ct.insert(client, translated, 0).ok).toBe(true);
    // The reply from the pod comes back to the masqueraded source: the connection is ESTABLISHED.
    const reply: ConnTuple = { proto: 'tcp', src: '10.244.2.2', sport: 80, dst: NODE_1_IP, dport: 51000 };
    expect(ct.lookup(reply, 10)).toMatchObject({ direction: 'reply', ctState: 'ESTABLISHED', translated: { src: NODE_1_IP, sport: 31589, dst: '203.0.113.7', dport: 40000 } });
    ct.seen(reply, 10);
    // node-2's endpoint goes away: the SVC chain now only knows 10.244.3.2.
    const changed = iptablesRestore(
      iptablesRestore(installJumps(emptyTables()), FOUR_SERVICES_PAYLOAD),
      [
        '*nat',
        ':KUBE-SVC-SV7AMNAGZFKZEMQ4 - [0:0]',
        ':KUBE-SEP-T3XCTAWNF2MSLOSC - [0:0]',
        ':KUBE-SEP-UHOHG3NCCQS26D7F - [0:0]',
        '-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7',
        '-X KUBE-SEP-T3XCTAWNF2MSLOSC',
        '-X KUBE-SEP-UHOHG3NCCQS26D7F',
        'COMMIT',
      ].join('\n'),
    );
    const later = ct.lookup(client, 1_000);
    expect(later).toMatchObject({ direction: 'original', ctState: 'ESTABLISHED', translated: { dst: '10.244.2.2', dport: 80, src: NODE_1_IP, sport: 51000 } });
    expect(firstPacket(changed).packet.dst).toBe('10.244.3.2');
  });

  it.each<[string, ConnTuple['proto'], boolean, number]>([
    ['tcp without a reply', 'tcp', false, CONNTRACK_TIMEOUTS.tcpUnreplied],
    ['tcp established', 'tcp', true, CONNTRACK_TIMEOUTS.tcpEstablished],
    ['udp without a reply', 'udp', false, CONNTRACK_TIMEOUTS.udpUnreplied],
    ['udp replied', 'udp', true, CONNTRACK_TIMEOUTS.udpReplied],
  ])('times out: %s', (_name, proto, replied, timeout) => {
    const ct = new ConntrackTable(4);
    const t: ConnTuple = { ...client, proto };
    ct.insert(t, t, 1_000);
    if (replied) ct.seen({ ...t, src: t.dst, sport: t.dport, dst: t.src, dport: t.sport }, 1_000);
    expect(ct.lookup(t, 1_000 + timeout - 1)).toBeDefined();
    expect(ct.lookup(t, 1_000 + timeout)).toBeUndefined();
    expect(ct.size).toBe(0);
  });

  it('is bounded: full, it evicts the oldest unassured entry; all assured, it refuses', () => {
    const ct = new ConntrackTable(2);
    const tuple = (sport: number): ConnTuple => ({ ...client, sport });
    const replyOf = (t: ConnTuple): ConnTuple => ({ ...t, src: t.dst, sport: t.dport, dst: t.src, dport: t.sport });
    ct.insert(tuple(1), tuple(1), 0);
    ct.insert(tuple(2), tuple(2), 0);
    ct.seen(replyOf(tuple(1)), 0);
    expect(ct.insert(tuple(3), tuple(3), 0).ok).toBe(true);
    expect(ct.entries(0).map((e) => e.original.sport)).toEqual([1, 3]);
    ct.seen(replyOf(tuple(3)), 0);
    expect(ct.insert(tuple(4), tuple(4), 0)).toEqual({ ok: false, reason: 'table full' });
    expect(ct.size).toBe(2);
  });

  it('forgets one connection by its original tuple, both of its keys', () => {
    const ct = new ConntrackTable(4);
    const masq = { ...client, src: NODE_1_IP, sport: 51000, dst: '10.244.2.2', dport: 80 };
    ct.insert(client, masq, 0);
    const reply: ConnTuple = { proto: 'tcp', src: '10.244.2.2', sport: 80, dst: NODE_1_IP, dport: 51000 };
    expect([ct.forget(client), ct.forget(client), ct.lookup(client, 0), ct.lookup(reply, 0), ct.size]).toEqual([true, false, undefined, undefined, 0]);
    expect(ct.insert({ ...client, src: '198.51.100.1' }, masq, 0).ok).toBe(true);
  });

  it('refuses a second connection whose replies would look the same (the SNAT port is taken)', () => {
    const ct = new ConntrackTable(4);
    const masq = { ...client, src: NODE_1_IP, sport: 51000, dst: '10.244.2.2', dport: 80 };
    expect(ct.insert(client, masq, 0).ok).toBe(true);
    expect(ct.insert({ ...client, src: '198.51.100.1' }, masq, 0)).toEqual({ ok: false, reason: 'reply tuple in use' });
  });

  it('--ctstate reads the state conntrack gives: KUBE-FORWARD accepts ESTABLISHED, the localnet rule spares DNAT', () => {
    const tables = iptablesRestore(installJumps(emptyTables()), FOUR_SERVICES_PAYLOAD);
    const p = { ...client, dst: '10.244.2.2', dport: 80, mark: 0, localAddresses: NODE_1_LOCAL };
    const ctx = { random: seededRandom(1), recent: emptyRecentTable(), now: 0 };
    expect(walk(tables, 'FORWARD', 'filter', { ...p, ctState: 'ESTABLISHED' }, ctx).trace.at(-1)?.rule).toBe(
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    );
    const local = { ...p, src: '203.0.113.7', dst: '127.0.0.1', ctState: 'NEW' as const };
    expect(walk(tables, 'INPUT', 'filter', local, ctx).verdict).toBe('DROP');
    expect(walk(tables, 'INPUT', 'filter', { ...local, ctDnat: true }, ctx).verdict).toBe('ACCEPT');
  });
});

describe('MARK arithmetic', () => {
  it.each<[string, number, number]>([
    ['--or-mark 0x4000', 0x1, 0x4001],
    ['--xor-mark 0x4000', 0x4001, 0x1],
    ['--set-xmark 0x10/0xff', 0x1234, 0x1210],
    ['--set-mark 0x8', 0xffff, 0x8],
    ['--and-mark 0xf0', 0x1ff, 0xf0],
  ])('%s', (target, before, after) => {
    const tables = iptablesRestore(emptyTables(), `*nat\n-A PREROUTING -j MARK ${target}\nCOMMIT\n`);
    const r = walk(tables, 'PREROUTING', 'nat', { ...client, mark: before, localAddresses: [], ctState: 'NEW' }, { random: seededRandom(1), recent: emptyRecentTable(), now: 0 });
    expect([r.verdict, r.decidedBy, r.packet.mark]).toEqual(['ACCEPT', 'policy', after]);
  });
});

describe('conntrack bookkeeping', () => {
  const a: ConnTuple = { proto: 'tcp', src: '203.0.113.7', sport: 40001, dst: NODE_1_IP, dport: 31589 };
  const aTranslated: ConnTuple = { ...a, src: NODE_1_IP, sport: 40001, dst: '10.244.2.2', dport: 80 };
  const aReply: ConnTuple = { proto: 'tcp', src: '10.244.2.2', sport: 80, dst: NODE_1_IP, dport: 40001 };

  it('seenReplyOf marks the connection ESTABLISHED and assured, exactly as seen(reply) does', () => {
    const viaReply = new ConntrackTable(16);
    const viaTuple = new ConntrackTable(16);
    for (const ct of [viaReply, viaTuple]) expect(ct.insert(a, aTranslated, 0).ok).toBe(true);
    const entry = viaReply.lookup(a, 1)!.entry;
    viaReply.seenReplyOf(entry, 5);
    viaTuple.seen(aReply, 5);
    const state = (ct: ConntrackTable) => ct.entries(5).map((e) => ({ ...e }));
    expect(state(viaReply)).toEqual(state(viaTuple));
    expect(viaReply.lookup(a, 6)).toMatchObject({ direction: 'original', ctState: 'ESTABLISHED' });
    // Refreshed at 5: an established TCP connection outlives the unreplied timeout counted from 0.
    expect(viaReply.lookup(a, CONNTRACK_TIMEOUTS.tcpUnreplied + 1)).toBeDefined();
  });

  it('expires correctly even when the clock goes backwards (falls back to scanning)', () => {
    const ct = new ConntrackTable(16);
    const b: ConnTuple = { ...a, sport: 40002 };
    expect(ct.insert(a, aTranslated, 1_000).ok).toBe(true);
    expect(ct.insert(b, { ...aTranslated, sport: 40002 }, 500).ok).toBe(true); // inserted "earlier" than a
    const t = CONNTRACK_TIMEOUTS.tcpUnreplied;
    expect(ct.expire(500 + t)).toBe(1); // b is due, a is not
    expect(ct.lookup(b, 500 + t)).toBeUndefined();
    expect(ct.lookup(a, 500 + t)).toBeDefined();
    expect(ct.expire(1_000 + t)).toBe(1);
    expect(ct.entries(1_000 + t)).toEqual([]);
  });
});
