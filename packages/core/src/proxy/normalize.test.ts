import { describe, expect, it } from 'vitest';
import { checkIPTablesRuleJumps, dedent, sortIPTablesRules } from './normalize.js';

describe('sortIPTablesRules (TestSortIPTablesRules)', () => {
  it('orders tables, chains and the service-name-sorted chains as upstream does', () => {
    const input = dedent(`
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-NODEPORTS - [0:0]
      :KUBE-SVC-B - [0:0]
      :KUBE-MARK-MASQ - [0:0]
      :CNI-X - [0:0]
      :KUBE-SEP-OLD - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -j KUBE-SVC-B
      -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -j KUBE-NODEPORTS
      -A KUBE-SERVICES -m comment --comment ns1/svc1 line 1
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 external IP" line 2
      -A KUBE-SVC-B -m comment --comment "z" -j KUBE-MARK-MASQ
      -A KUBE-SVC-B -m comment --comment "a" -j KUBE-MARK-MASQ
      -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
      -X KUBE-SEP-OLD
      COMMIT
      *filter
      :KUBE-SERVICES - [0:0]
      COMMIT
    `);
    expect(sortIPTablesRules(input)).toBe(
      dedent(`
        *filter
        :KUBE-SERVICES - [0:0]
        COMMIT
        *nat
        :KUBE-NODEPORTS - [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-MARK-MASQ - [0:0]
        :KUBE-SEP-OLD - [0:0]
        :KUBE-SVC-B - [0:0]
        :CNI-X - [0:0]
        -A KUBE-SERVICES -m comment --comment ns1/svc1 line 1
        -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 external IP" line 2
        -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -j KUBE-SVC-B
        -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -j KUBE-NODEPORTS
        -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
        -A KUBE-SVC-B -m comment --comment "z" -j KUBE-MARK-MASQ
        -A KUBE-SVC-B -m comment --comment "a" -j KUBE-MARK-MASQ
        -X KUBE-SEP-OLD
        COMMIT
      `).replace(/^\n/, ''),
    );
  });

  it('rejects rules for undeclared chains and a missing COMMIT', () => {
    expect(() => sortIPTablesRules('*nat\n-A KUBE-X -j DROP\nCOMMIT\n')).toThrow('no such chain "KUBE-X"');
    expect(() => sortIPTablesRules('*nat\n:KUBE-X - [0:0]\n')).toThrow('no COMMIT line');
  });
});

describe('checkIPTablesRuleJumps (TestCheckIPTablesRuleJumps)', () => {
  it.each([
    ['*filter\nCOMMIT\n*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -m comment --comment x -j KUBE-SVC-A\nCOMMIT\n', 'some chains in nat are used but were not created: [KUBE-SVC-A]'],
    ['*filter\nCOMMIT\n*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n-A KUBE-SERVICES -m comment --comment x -j KUBE-SVC-A\nCOMMIT\n', 'some chains in nat are jumped to but have no rules: [KUBE-SVC-A]'],
    ['*filter\nCOMMIT\n*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n-A KUBE-SERVICES -m comment --comment x\nCOMMIT\n', 'some chains in nat are created but not used: [KUBE-SVC-A]'],
  ])('%#', (input, err) => expect(checkIPTablesRuleJumps(input)).toBe(err));
});
