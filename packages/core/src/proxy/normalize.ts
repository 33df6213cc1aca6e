// Upstream's test normalisation for iptables dumps (pkg/proxy/iptables/proxier_test.go
// sortIPTablesRules / orderByCommentServiceName, parsing as pkg/util/iptables/testing/parse.go
// ParseIPTablesDump and printing as IPTablesDump.String), and its sanity check
// checkIPTablesRuleJumps. Services are emitted in map order upstream, so dumps are compared only
// after this normalisation.

export interface DumpRule {
  raw: string;
  chain: string;
  /** The --comment value, quotes removed; undefined when the rule has none. */
  comment: string | undefined;
}

export interface DumpChain {
  name: string;
  packets: number;
  bytes: number;
  rules: DumpRule[];
  deleted: boolean;
}

export interface DumpTable {
  name: string;
  chains: DumpChain[];
}

const DECLARE_TABLE = /^\*(.*)$/;
const DECLARE_CHAIN = /^:([^ ]*) - \[([0-9]*):([0-9]*)\]$/;
const ADD_RULE = /^-A ([^ ]*) (.*)$/;
const DELETE_CHAIN = /^-X (.*)$/;
// parse.go wordRegex: a word or a quoted string, at the start or after whitespace.
const WORD = /(?:^|\s)("[^"]*"|[^"]\S*)/g;

function ruleWords(rule: string): string[] {
  return [...rule.matchAll(WORD)].map((m) => m[1]!.replace(/^"+|"+$/g, ''));
}

function parseRule(raw: string): DumpRule {
  const words = ruleWords(raw);
  if (words.length < 2 || words[0] !== '-A') throw new Error('bad iptables rule (does not start with "-A CHAIN")');
  if (words.length < 3) throw new Error('bad iptables rule (no match rules)');
  let comment: string | undefined;
  for (let i = 2; i < words.length - 1; i++) {
    if (words[i] === '-m') {
      i++;
      continue;
    }
    if (words[i] === '--comment') comment = words[i + 1];
  }
  return { raw, chain: words[1]!, comment };
}

/** ParseIPTablesDump. Throws with upstream's messages on malformed input. */
export function parseIPTablesDump(data: string): DumpTable[] {
  const tables: DumpTable[] = [];
  let state: 'table' | 'chains' | 'rules' = 'table';
  let t: DumpTable | undefined;
  for (const rawLine of data.replace(/^\n+|\n+$/g, '').split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (state === 'table') {
      const m = DECLARE_TABLE.exec(line);
      if (m === null) throw new Error(`could not parse iptables data (table ${tables.length + 1} starts with ${JSON.stringify(line)} not a table name)`);
      t = { name: m[1]!, chains: [] };
      tables.push(t);
      state = 'chains';
      continue;
    }
    if (state === 'chains') {
      const m = DECLARE_CHAIN.exec(line);
      if (m !== null) {
        t!.chains.push({ name: m[1]!, packets: Number(m[2] || 0), bytes: Number(m[3] || 0), rules: [], deleted: false });
        continue;
      }
      state = 'rules';
    }
    const add = ADD_RULE.exec(line);
    if (add !== null) {
      const chain = t!.chains.find((c) => c.name === add[1]);
      if (chain === undefined) throw new Error(`error parsing rule ${JSON.stringify(line)}: no such chain ${JSON.stringify(add[1])}`);
      if (chain.deleted) throw new Error(`cannot add rules to deleted chain ${JSON.stringify(add[1])}`);
      chain.rules.push(parseRule(line));
    } else if (DELETE_CHAIN.test(line)) {
      const name = DELETE_CHAIN.exec(line)![1]!;
      const chain = t!.chains.find((c) => c.name === name);
      if (chain === undefined) throw new Error(`error parsing rule ${JSON.stringify(line)}: no such chain ${JSON.stringify(name)}`);
      if (chain.rules.length !== 0) throw new Error(`cannot delete chain ${JSON.stringify(name)} after adding rules`);
      chain.deleted = true;
    } else if (line === 'COMMIT') {
      state = 'table';
    } else {
      throw new Error(`error parsing rule ${JSON.stringify(line)}`);
    }
  }
  if (state !== 'table') throw new Error('could not parse iptables data (no COMMIT line?)');
  return tables;
}

/** IPTablesDump.String(): chain lines, then every chain's rules, then -X lines, then COMMIT. */
export function formatIPTablesDump(tables: readonly DumpTable[]): string {
  let out = '';
  for (const t of tables) {
    out += `*${t.name}\n`;
    for (const c of t.chains) out += `:${c.name} - [${c.packets}:${c.bytes}]\n`;
    for (const c of t.chains) for (const r of c.rules) out += `${r.raw}\n`;
    for (const c of t.chains) if (c.deleted) out += `-X ${c.name}\n`;
    out += 'COMMIT\n';
  }
  return out;
}

/** The service name of a comment: up to the first space or colon. */
function commentServiceName(rule: DumpRule): string | undefined {
  if (rule.comment === undefined) return undefined;
  const i = rule.comment.search(/[ :]/);
  return i === -1 ? rule.comment : rule.comment.slice(0, i);
}

/** orderByCommentServiceName as a comparator for a stable sort (rules without comments stay put). */
function byCommentServiceName(a: DumpRule, b: DumpRule): number {
  const na = commentServiceName(a);
  const nb = commentServiceName(b);
  if (na === undefined || nb === undefined) return 0;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function chainOrder(a: string, b: string): number {
  const rank = (n: string) => (n === 'KUBE-NODEPORTS' ? 0 : n === 'KUBE-SERVICES' ? 1 : n.startsWith('KUBE-') ? 2 : 3);
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}

const LAST_RULE = 'must be the last rule';

/**
 * sortIPTablesRules: tables by name; chains KUBE-NODEPORTS, KUBE-SERVICES, other KUBE-* and then the
 * rest, alphabetically; KUBE-NODEPORTS and KUBE-SERVICES rules stably sorted by service name, nat's
 * "must be the last rule" rule kept last. Every other chain keeps its generation order.
 */
export function sortIPTablesRules(data: string): string {
  const tables = parseIPTablesDump(data);
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of tables) {
    t.chains.sort((a, b) => chainOrder(a.name, b.name));
    for (const c of t.chains) {
      if (c.name === 'KUBE-NODEPORTS' || (c.name === 'KUBE-SERVICES' && t.name === 'filter')) {
        c.rules = stableSort(c.rules, byCommentServiceName);
      } else if (c.name === 'KUBE-SERVICES' && t.name === 'nat') {
        const isLast = (r: DumpRule) => r.comment !== undefined && r.comment.includes(LAST_RULE);
        c.rules = stableSort(c.rules, (a, b) => (isLast(a) ? (isLast(b) ? 0 : 1) : isLast(b) ? -1 : byCommentServiceName(a, b)));
      }
    }
  }
  return formatIPTablesDump(tables);
}

function stableSort<T>(xs: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return xs.map((x, i) => [x, i] as const).sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]).map(([x]) => x);
}

/** Strip the common leading indentation of a template literal (github.com/lithammer/dedent). */
export function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const n = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(n))).join('\n');
}

const BUILTIN_TARGETS = new Set(['ACCEPT', 'REJECT', 'DROP', 'MARK', 'RETURN', 'DNAT', 'SNAT', 'MASQUERADE']);
const ALWAYS_DECLARED = [
  'KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-FORWARD', 'KUBE-MARK-MASQ',
  'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL',
];

/**
 * checkIPTablesRuleJumps: every jump goes to a declared chain that has rules (KUBE-NODEPORTS
 * excepted), every filled chain is declared, every declared per-service chain is jumped to.
 * Returns the error upstream would report, or undefined.
 */
export function checkIPTablesRuleJumps(data: string): string | undefined {
  for (const t of parseIPTablesDump(data)) {
    const created = new Set(t.chains.filter((c) => !c.deleted).map((c) => c.name));
    const filled = new Set<string>();
    const jumped = new Set<string>();
    for (const c of t.chains) {
      for (const r of c.rules) {
        filled.add(r.chain);
        const j = / -j ([^ ]*)/.exec(r.raw);
        if (j !== null && !BUILTIN_TARGETS.has(j[1]!)) jumped.add(j[1]!);
      }
    }
    const missing = [...new Set([...jumped, ...filled])].filter((c) => !created.has(c)).sort();
    if (missing.length > 0) return `some chains in ${t.name} are used but were not created: [${missing.join(' ')}]`;
    const empty = [...jumped].filter((c) => !filled.has(c) && c !== 'KUBE-NODEPORTS').sort();
    if (empty.length > 0) return `some chains in ${t.name} are jumped to but have no rules: [${empty.join(' ')}]`;
    const extra = [...created].filter((c) => !jumped.has(c) && !ALWAYS_DECLARED.includes(c)).sort();
    if (extra.length > 0) return `some chains in ${t.name} are created but not used: [${extra.join(' ')}]`;
  }
  return undefined;
}
