import { describe, expect, it } from 'vitest';
import { installJumps, MY_NGINX_PAYLOAD } from './fixtures.test-data.js';
import { checkRule, ensureRule } from './ensure.js';
import { iptablesRestore, RestoreError, splitRestoreLine } from './restore.js';
import { formatSavedProbability, quantiseProbability } from './rule.js';
import { ctime, iptablesSave } from './save.js';
import { emptyTables, type Tables } from './tables.js';

// What iptables-save prints after kube-proxy's jump rules and the my-nginx full sync: the option
// order, `/32` masks, quoting, MARK as --set-xmark, 11-decimal probabilities are iptables-save's,
// checked against real dumps (e.g. KUBE-POSTROUTING `-j MARK --set-xmark 0x4000/0x0`).
const MY_NGINX_SAVED = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-EXT-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-EXT-WJQIRF6WKN5OOCTI - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-4BMBAEIB6QK2A2QR - [0:0]
:KUBE-SEP-KXEQLQ6V6BL25WN7 - [0:0]
:KUBE-SEP-LJILBMGWCIFOYNB4 - [0:0]
:KUBE-SEP-PLBTFZV2TA6SHQZV - [0:0]
:KUBE-SEP-T3XCTAWNF2MSLOSC - [0:0]
:KUBE-SEP-UHOHG3NCCQS26D7F - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-SV7AMNAGZFKZEMQ4 - [0:0]
:KUBE-SVC-WJQIRF6WKN5OOCTI - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -m comment --comment "masquerade traffic for default/my-nginx:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-SV7AMNAGZFKZEMQ4 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-EXT-WJQIRF6WKN5OOCTI -m comment --comment "masquerade traffic for default/my-nginx:https external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-WJQIRF6WKN5OOCTI -j KUBE-SVC-WJQIRF6WKN5OOCTI
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:http" -m tcp --dport 31589 -j KUBE-EXT-SV7AMNAGZFKZEMQ4
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:https" -m tcp --dport 30134 -j KUBE-EXT-WJQIRF6WKN5OOCTI
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-4BMBAEIB6QK2A2QR -s 10.244.1.2/32 -m comment --comment "default/my-nginx:https" -j KUBE-MARK-MASQ
-A KUBE-SEP-4BMBAEIB6QK2A2QR -p tcp -m comment --comment "default/my-nginx:https" -m tcp -j DNAT --to-destination 10.244.1.2:443
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -s 10.244.3.2/32 -m comment --comment "default/my-nginx:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-KXEQLQ6V6BL25WN7 -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SEP-LJILBMGWCIFOYNB4 -s 10.244.3.2/32 -m comment --comment "default/my-nginx:https" -j KUBE-MARK-MASQ
-A KUBE-SEP-LJILBMGWCIFOYNB4 -p tcp -m comment --comment "default/my-nginx:https" -m tcp -j DNAT --to-destination 10.244.3.2:443
-A KUBE-SEP-PLBTFZV2TA6SHQZV -s 10.244.2.2/32 -m comment --comment "default/my-nginx:https" -j KUBE-MARK-MASQ
-A KUBE-SEP-PLBTFZV2TA6SHQZV -p tcp -m comment --comment "default/my-nginx:https" -m tcp -j DNAT --to-destination 10.244.2.2:443
-A KUBE-SEP-T3XCTAWNF2MSLOSC -s 10.244.1.2/32 -m comment --comment "default/my-nginx:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-T3XCTAWNF2MSLOSC -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-UHOHG3NCCQS26D7F -s 10.244.2.2/32 -m comment --comment "default/my-nginx:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-UHOHG3NCCQS26D7F -p tcp -m comment --comment "default/my-nginx:http" -m tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SERVICES -d 10.96.107.207/32 -p tcp -m comment --comment "default/my-nginx:http cluster IP" -m tcp --dport 8080 -j KUBE-SVC-SV7AMNAGZFKZEMQ4
-A KUBE-SERVICES -d 10.96.107.207/32 -p tcp -m comment --comment "default/my-nginx:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-WJQIRF6WKN5OOCTI
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 ! -s 10.244.0.0/16 -d 10.96.107.207/32 -p tcp -m comment --comment "default/my-nginx:http cluster IP" -m tcp --dport 8080 -j KUBE-MARK-MASQ
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-T3XCTAWNF2MSLOSC
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-UHOHG3NCCQS26D7F
-A KUBE-SVC-SV7AMNAGZFKZEMQ4 -m comment --comment "default/my-nginx:http -> 10.244.3.2:80" -j KUBE-SEP-KXEQLQ6V6BL25WN7
-A KUBE-SVC-WJQIRF6WKN5OOCTI ! -s 10.244.0.0/16 -d 10.96.107.207/32 -p tcp -m comment --comment "default/my-nginx:https cluster IP" -m tcp --dport 443 -j KUBE-MARK-MASQ
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.1.2:443" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-4BMBAEIB6QK2A2QR
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.2.2:443" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-PLBTFZV2TA6SHQZV
-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.3.2:443" -j KUBE-SEP-LJILBMGWCIFOYNB4
COMMIT
`;

function restored(payload: string, base: Tables = installJumps(emptyTables())): Tables {
  return iptablesRestore(base, payload);
}

describe('iptables-restore then iptables-save', () => {
  it('prints the my-nginx payload as iptables-save does', () => {
    expect(iptablesSave(restored(MY_NGINX_PAYLOAD))).toBe(MY_NGINX_SAVED);
  });

  it('restores its own save output to the same tables (a fixed point)', () => {
    const saved = iptablesSave(restored(MY_NGINX_PAYLOAD));
    expect(iptablesSave(iptablesRestore(emptyTables(), saved, { noflush: false }))).toBe(saved);
  });

  it('restoring the same payload again leaves the tables as they were (:CHAIN flushes)', () => {
    const once = restored(MY_NGINX_PAYLOAD);
    expect(iptablesSave(iptablesRestore(once, MY_NGINX_PAYLOAD))).toBe(MY_NGINX_SAVED);
  });

  it('prints one table, and the comment lines iptables-save writes', () => {
    const date = ctime(Date.UTC(2023, 1, 2, 0, 57, 54));
    expect(date).toBe('Thu Feb  2 00:57:54 2023');
    const t = emptyTables();
    expect(iptablesSave(t, { table: 'nat', comments: { version: '1.8.7', date } })).toBe(
      '# Generated by iptables-save v1.8.7 on Thu Feb  2 00:57:54 2023\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n# Completed on Thu Feb  2 00:57:54 2023\n',
    );
  });

  it('partial sync: a stale chain is flushed by its :CHAIN line and deleted with -X; others stay', () => {
    const before = restored(MY_NGINX_PAYLOAD);
    const partial = [
      '*nat',
      ':KUBE-SVC-WJQIRF6WKN5OOCTI - [0:0]',
      ':KUBE-SEP-4BMBAEIB6QK2A2QR - [0:0]',
      '-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.2.2:443" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-PLBTFZV2TA6SHQZV',
      '-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.3.2:443" -j KUBE-SEP-LJILBMGWCIFOYNB4',
      '-X KUBE-SEP-4BMBAEIB6QK2A2QR',
      'COMMIT',
      '',
    ].join('\n');
    const after = iptablesRestore(before, partial);
    const diff = (t: Tables): string[] => iptablesSave(t).split('\n').filter((l) => l.includes('WJQIRF6WKN5OOCTI') || l.includes('4BMBAEIB6QK2A2QR'));
    expect(diff(after)).toEqual([
      ':KUBE-EXT-WJQIRF6WKN5OOCTI - [0:0]',
      ':KUBE-SVC-WJQIRF6WKN5OOCTI - [0:0]',
      '-A KUBE-EXT-WJQIRF6WKN5OOCTI -m comment --comment "masquerade traffic for default/my-nginx:https external destinations" -j KUBE-MARK-MASQ',
      '-A KUBE-EXT-WJQIRF6WKN5OOCTI -j KUBE-SVC-WJQIRF6WKN5OOCTI',
      '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/my-nginx:https" -m tcp --dport 30134 -j KUBE-EXT-WJQIRF6WKN5OOCTI',
      '-A KUBE-SERVICES -d 10.96.107.207/32 -p tcp -m comment --comment "default/my-nginx:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-WJQIRF6WKN5OOCTI',
      '-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.2.2:443" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-PLBTFZV2TA6SHQZV',
      '-A KUBE-SVC-WJQIRF6WKN5OOCTI -m comment --comment "default/my-nginx:https -> 10.244.3.2:443" -j KUBE-SEP-LJILBMGWCIFOYNB4',
    ]);
    // The http service's chains were not in the payload and are untouched.
    expect(iptablesSave(after).split('\n').filter((l) => l.includes('SV7AMNAGZFKZEMQ4'))).toEqual(
      iptablesSave(before).split('\n').filter((l) => l.includes('SV7AMNAGZFKZEMQ4')),
    );
  });

  it('-I, -D (by spec and by number), -F, -N and -P', () => {
    const t = iptablesRestore(
      emptyTables(),
      [
        '*filter',
        '-N KUBE-TEST',
        '-A KUBE-TEST -s 10.0.0.0/8 -j ACCEPT',
        '-A KUBE-TEST -p udp -m udp --sport 53 -j DROP',
        '-I KUBE-TEST -d 10.1.2.3/24 -j RETURN',
        '-I KUBE-TEST 3 -m mark --mark 0x1 -j ACCEPT',
        '-D KUBE-TEST -s 10.0.0.0/8 -j ACCEPT',
        '-A INPUT -j KUBE-TEST',
        '-A OUTPUT -j DROP',
        '-D INPUT 1',
        '-F OUTPUT',
        '-P FORWARD DROP',
        'COMMIT',
      ].join('\n'),
    );
    expect(iptablesSave(t, { table: 'filter' })).toBe(
      [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':FORWARD DROP [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':KUBE-TEST - [0:0]',
        '-A KUBE-TEST -d 10.1.2.0/24 -j RETURN',
        '-A KUBE-TEST -m mark --mark 0x1 -j ACCEPT',
        '-A KUBE-TEST -p udp -m udp --sport 53 -j DROP',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('accepts what kube-proxy writes in every form it has (comments, no target, nfacct, recent, reject, implicit -m tcp)', () => {
    const t = iptablesRestore(
      emptyTables(),
      [
        '# kube-proxy payload',
        '*filter',
        ':KUBE-EXTERNAL-SERVICES - [0:0]',
        ':KUBE-FORWARD - [0:0]',
        ':KUBE-NODEPORTS - [0:0]',
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/x:p has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 31000 -j REJECT',
        '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
        '-A KUBE-NODEPORTS -m comment --comment "default/x:p health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT',
        '-A KUBE-NODEPORTS -p udp --dport 53 -j ACCEPT',
        'COMMIT',
        '*nat',
        ':KUBE-FW-ABC - [0:0]',
        ':KUBE-SVC-ABC - [0:0]',
        ':KUBE-SEP-ABC - [0:0]',
        '-A KUBE-FW-ABC -m comment --comment "other traffic to default/x:p will be dropped by KUBE-PROXY-FIREWALL"',
        "-A KUBE-SVC-ABC -m comment --comment 'default/x:p -> 10.0.0.1:80' -m recent --name KUBE-SEP-ABC --rcheck --seconds 10800 --reap -j KUBE-SEP-ABC",
        '-A KUBE-SEP-ABC -m comment --comment default/x:p -m recent --name KUBE-SEP-ABC --set -m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80',
        '-A KUBE-SVC-ABC -m comment --comment "say \\"hi\\"" -m statistic --mode random ! --probability 0.2 -j RETURN',
        'COMMIT',
      ].join('\n'),
    );
    expect(iptablesSave(t).split('\n').filter((l) => l.startsWith('-A'))).toEqual([
      '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/x:p has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31000 -j REJECT --reject-with icmp-port-unreachable',
      '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name  ct_state_invalid_dropped_pkts -j DROP',
      '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/x:p health check node port" -m tcp --dport 30000 -j ACCEPT',
      '-A KUBE-NODEPORTS -p udp -m udp --dport 53 -j ACCEPT',
      '-A KUBE-FW-ABC -m comment --comment "other traffic to default/x:p will be dropped by KUBE-PROXY-FIREWALL"',
      '-A KUBE-SEP-ABC -p tcp -m comment --comment "default/x:p" -m recent --set --name KUBE-SEP-ABC --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.0.0.1:80',
      '-A KUBE-SVC-ABC -m comment --comment "default/x:p -> 10.0.0.1:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-ABC --mask 255.255.255.255 --rsource -j KUBE-SEP-ABC',
      '-A KUBE-SVC-ABC -m comment --comment "say \\"hi\\"" -m statistic --mode random ! --probability 0.20000000019 -j RETURN',
    ]);
  });
});

describe('iptables-restore refuses malformed input, names the line and applies nothing', () => {
  const base = restored(MY_NGINX_PAYLOAD);
  const good = '*filter\n:KUBE-NEW - [0:0]\n-A KUBE-NEW -j ACCEPT\nCOMMIT\n';
  it.each<[string, string, number, string]>([
    ['unknown option', good + '*nat\n-A KUBE-SERVICES -m tcp -p tcp --dport 80 --frobnicate -j ACCEPT\nCOMMIT\n', 6, 'unknown option "--frobnicate"'],
    ['jump to a chain not declared', good + '*nat\n-A KUBE-SERVICES -j KUBE-SVC-NOPE\nCOMMIT\n', 6, "Couldn't load target `KUBE-SVC-NOPE':No such file or directory"],
    ['append to a chain that does not exist', good + '*nat\n-A KUBE-NOPE -j ACCEPT\nCOMMIT\n', 6, 'chain KUBE-NOPE does not exist in table nat (No chain/target/match by that name)'],
    ['no COMMIT', good + '*nat\n:KUBE-X - [0:0]\n', 8, "COMMIT expected for table 'nat'"],
    ['a table kubemu does not have', good + '*mangle\nCOMMIT\n', 5, "unable to initialize table 'mangle'"],
    ['rule before any table', '-A INPUT -j ACCEPT\n', 1, 'no table specified (a line before the first *table)'],
    ['unknown match', good + '*nat\n-A KUBE-SERVICES -m frob -j ACCEPT\nCOMMIT\n', 6, "Couldn't load match `frob':No such file or directory"],
    ['-m tcp without -p tcp', good + '*nat\n-A KUBE-SERVICES -m tcp --dport 80 -j ACCEPT\nCOMMIT\n', 6, 'match "tcp" is only valid with -p tcp'],
    ['bad address', good + '*nat\n-A KUBE-SERVICES -d 10.96.0.300 -j ACCEPT\nCOMMIT\n', 6, "host/network `10.96.0.300' not found"],
    ['probability out of range', good + '*nat\n-A KUBE-SERVICES -m statistic --mode random --probability 1.5 -j ACCEPT\nCOMMIT\n', 6, 'statistic: --probability "1.5" must be between 0 and 1'],
    ['unterminated quote', good + '*nat\n-A KUBE-SERVICES -m comment --comment "oops -j ACCEPT\nCOMMIT\n', 6, 'unterminated quoted string'],
    ['DNAT in filter', '*filter\n-A INPUT -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n', 2, 'target DNAT is only valid in the nat table, not filter'],
    ['missing option argument', good + '*nat\n-A KUBE-SERVICES -p tcp -m tcp --dport\nCOMMIT\n', 6, 'option "--dport" requires an argument'],
    ['deleting a chain still referenced', good + '*nat\n-X KUBE-SVC-SV7AMNAGZFKZEMQ4\nCOMMIT\n', 6, 'CHAIN_USER_DEL failed (Directory not empty): chain KUBE-SVC-SV7AMNAGZFKZEMQ4'],
    ['deleting an empty chain still referenced', good + '*nat\n:KUBE-SVC-SV7AMNAGZFKZEMQ4 - [0:0]\n-X KUBE-SVC-SV7AMNAGZFKZEMQ4\nCOMMIT\n', 7, 'CHAIN_USER_DEL failed (Device or resource busy): chain KUBE-SVC-SV7AMNAGZFKZEMQ4'],
    ['a jump loop', good + '*nat\n:KUBE-A - [0:0]\n:KUBE-B - [0:0]\n-A KUBE-A -j KUBE-B\n-A KUBE-B -j KUBE-A\nCOMMIT\n', 10, 'jump loop KUBE-A -> KUBE-B -> KUBE-A (Too many levels of symbolic links)'],
    ['policy on a user chain', good + '*nat\n:KUBE-X ACCEPT [0:0]\nCOMMIT\n', 6, "Can't set policy `ACCEPT' on `KUBE-X': Bad built-in chain name"],
    ['chain name too long', good + '*nat\n:KUBE-SEP-ABCDEFGHIJKLMNOPQRSTU - [0:0]\nCOMMIT\n', 6, "chain name `KUBE-SEP-ABCDEFGHIJKLMNOPQRSTU' too long (must be under 29 chars)"],
  ])('%s', (_name, input, line, reason) => {
    let error: unknown;
    try {
      iptablesRestore(base, input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RestoreError);
    expect({ line: (error as RestoreError).line, reason: (error as RestoreError).reason, message: (error as RestoreError).message }).toEqual({
      line,
      reason,
      message: `iptables-restore: line ${line} failed: ${reason}`,
    });
  });

  it('leaves the tables exactly as they were, including the tables committed before the error', () => {
    const before = iptablesSave(base);
    expect(() => iptablesRestore(base, good + '*nat\n-A KUBE-SERVICES -j KUBE-SVC-NOPE\nCOMMIT\n')).toThrow(RestoreError);
    expect(iptablesSave(base)).toBe(before);
    // and the part before the error takes effect once the input is correct
    expect(iptablesSave(iptablesRestore(base, good))).toContain(':KUBE-NEW - [0:0]');
  });
});

describe('EnsureRule', () => {
  it('-C finds a rule written in another option order; a second ensure adds nothing', () => {
    const t = installJumps(emptyTables());
    expect(checkRule(t, 'nat', 'PREROUTING', ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'])).toBe(true);
    expect(checkRule(t, 'nat', 'PREROUTING', ['-m', 'comment', '--comment', 'other', '-j', 'KUBE-SERVICES'])).toBe(false);
    const again = installJumps(t);
    expect(iptablesSave(again)).toBe(iptablesSave(t));
    expect(ensureRule(t, 'filter', 'append', 'INPUT', ['-j', 'KUBE-FIREWALL']).existed).toBe(true);
  });
});

describe('probabilities', () => {
  it.each<[number, string]>([
    [2, '0.50000000000'],
    [3, '0.33333333349'],
    [4, '0.25000000000'],
    [5, '0.20000000019'],
    [6, '0.16666666651'],
    [7, '0.14285714272'],
  ])('1/%i, written with 10 decimals, prints back as %s', (n, saved) => {
    expect(formatSavedProbability(quantiseProbability(Number((1 / n).toFixed(10))))).toBe(saved);
  });
  it('rounds an exact tie to even as glibc printf does (1/4096)', () => {
    expect(formatSavedProbability(1 << 19)).toBe('0.00024414062');
    expect(formatSavedProbability(3 << 19)).toBe('0.00073242188');
    expect(formatSavedProbability(0x80000000)).toBe('1.00000000000');
  });
});

describe('restore line splitting', () => {
  it.each<[string, string[]]>([
    ['-A X -m comment --comment "a b" -j Y', ['-A', 'X', '-m', 'comment', '--comment', 'a b', '-j', 'Y']],
    ['-A X --comment "say \\"hi\\""', ['-A', 'X', '--comment', 'say "hi"']],
    ["-A X --comment 'single quoted'\t-j Y", ['-A', 'X', '--comment', 'single quoted', '-j', 'Y']],
    ['-A X --comment ""', ['-A', 'X', '--comment', '']],
  ])('%s', (line, want) => expect(splitRestoreLine(line)).toEqual(want));
});
