// iptables-restore over a node's tables: `*table`, `:CHAIN POLICY [p:b]` (declares a user chain,
// or flushes it when it exists), the commands -A, -I, -D, -N, -X, -F, -P, COMMIT and `#` comments,
// in the syntax kube-proxy writes.
// The whole input is applied or none of it (as iptables-nft-restore's single transaction): every
// command works on a copy, which replaces the live tables only when the last table commits. The
// copy is per chain and made on the first write to it, so a restore costs what it changes.
// Errors name the line as iptables-restore does ("iptables-restore: line N failed").
import { parseRuleSpec, RuleError } from './parse-rule.js';
import type { Rule, TableName } from './rule.js';
import { BUILTIN_CHAINS, isBuiltinChain, MAX_CHAIN_NAME_LENGTH, TABLE_NAMES, type Chain, type Policy, type Table, type Tables } from './tables.js';

export class RestoreError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`iptables-restore: line ${line} failed: ${reason}`);
    this.name = 'RestoreError';
  }
}

export interface RestoreOptions {
  /** --noflush (kube-proxy always passes it): keep what a table holds; `:CHAIN` flushes only that chain. Default true. */
  readonly noflush?: boolean;
}

/** Bound on one restore's input, so a runaway payload fails clearly instead of exhausting memory. */
export const MAX_RESTORE_LINES = 2_000_000;

/** Split one line into arguments as iptables-restore's add_param_to_argv does: blanks separate, quotes group, `\` escapes. */
export function splitRestoreLine(line: string): string[] {
  if (!/["'\\]/.test(line)) return splitPlainLine(line);
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && i + 1 < line.length && (line[i + 1] === quote || line[i + 1] === '\\')) {
        current += line[++i];
      } else if (c === quote) {
        quote = undefined;
      } else {
        current += c;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inArg = true;
    } else if (c === ' ' || c === '\t') {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (quote) throw new RuleError('unterminated quoted string');
  if (inArg) args.push(current);
  return args;
}

/** A line without quotes or backslashes (every line kube-proxy writes but comments): split at blanks. */
function splitPlainLine(line: string): string[] {
  const args: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      if (start >= 0) args.push(line.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) args.push(line.slice(start));
  return args;
}

/**
 * One string per distinct text a restore keeps (chain names, comments, addresses), copied out of
 * the input: a slice of the payload would keep all of it alive as long as the rule lives.
 */
class KeptStrings {
  private readonly strings = new Map<string, string>();

  constructor(tables: Tables) {
    for (const t of TABLE_NAMES) for (const name of tables[t].chains.keys()) this.strings.set(name, name);
  }

  readonly keep = (text: string): string => {
    // V8 copies substrings shorter than SlicedString::kMinLength (13) instead of slicing.
    if (text.length < 13) return text;
    let kept = this.strings.get(text);
    if (kept === undefined) {
      kept = Buffer.from(text, 'utf8').toString('utf8');
      this.strings.set(kept, kept);
    }
    return kept;
  };
}

/** A chain of the table being restored; `rules` is the committed array until the first write. */
interface WorkingChain {
  readonly name: string;
  policy?: Policy;
  rules: readonly Rule[];
  /** The committed chain while this one still equals it. */
  base?: Chain;
}

interface WorkingTable {
  name: TableName;
  chains: Map<string, WorkingChain>;
  kept: KeptStrings;
}

function workingCopy(table: Table, kept: KeptStrings): WorkingTable {
  const chains = new Map<string, WorkingChain>();
  for (const [name, c] of table.chains) chains.set(name, { name, ...(c.policy ? { policy: c.policy } : {}), rules: c.rules, base: c });
  return { name: table.name, chains, kept };
}

/** The chain's rules as an array of its own, to write to. */
function writable(chain: WorkingChain): Rule[] {
  if (chain.base !== undefined) {
    chain.rules = [...chain.rules];
    chain.base = undefined;
  }
  return chain.rules as Rule[];
}

function replaceRules(chain: WorkingChain, rules: Rule[]): void {
  chain.rules = rules;
  chain.base = undefined;
}

function freeze(t: WorkingTable): Table {
  const chains = new Map<string, Chain>();
  for (const [name, c] of t.chains) {
    if (c.base !== undefined && c.base.policy === c.policy) chains.set(name, c.base);
    else chains.set(name, { name, ...(c.policy ? { policy: c.policy } : {}), rules: c.rules });
  }
  return { name: t.name, chains };
}

function referencesTo(t: WorkingTable, chain: string): number {
  let n = 0;
  for (const c of t.chains.values()) for (const r of c.rules) if (r.target?.kind === 'jump' && r.target.chain === chain) n++;
  return n;
}

/** A jump loop is refused by the kernel at commit (ELOOP); report one path of it. */
function findLoop(t: WorkingTable): string[] | undefined {
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 'done') return undefined;
    if (s === 'active') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'active');
    path.push(name);
    for (const r of t.chains.get(name)?.rules ?? []) {
      if (r.target?.kind === 'jump') {
        const loop = visit(r.target.chain);
        if (loop) return loop;
      }
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of t.chains.keys()) {
    const loop = visit(name);
    if (loop) return loop;
  }
  return undefined;
}

function validChainName(name: string): string | undefined {
  if (name.length === 0) return 'empty chain name';
  if (name.length > MAX_CHAIN_NAME_LENGTH) return `chain name \`${name}' too long (must be under ${MAX_CHAIN_NAME_LENGTH + 1} chars)`;
  if (name.startsWith('-') || name === '!' || /\s/.test(name)) return `Invalid chain name \`${name}'`;
  return undefined;
}

function existing(t: WorkingTable, name: string | undefined): WorkingChain {
  if (name === undefined) throw new RuleError('no chain name given');
  const chain = t.chains.get(name);
  if (!chain) throw new RuleError(`chain ${name} does not exist in table ${t.name} (No chain/target/match by that name)`);
  return chain;
}

function parseIndex(text: string | undefined, what: string): number {
  if (text === undefined || !/^[1-9]\d*$/.test(text)) throw new RuleError(`Invalid ${what} number \`${text ?? ''}'`);
  return Number(text);
}

function ruleIn(t: WorkingTable, args: readonly string[]): Rule {
  return parseRuleSpec(args, { table: t.name, chainExists: (name) => t.chains.has(name), keep: t.kept.keep });
}

function deleteChain(t: WorkingTable, name: string): void {
  if (isBuiltinChain(t.name, name)) throw new RuleError(`Can't delete built-in chain ${name}`);
  const chain = existing(t, name);
  if (chain.rules.length > 0) throw new RuleError(`CHAIN_USER_DEL failed (Directory not empty): chain ${name}`);
  if (referencesTo(t, name) > 0) throw new RuleError(`CHAIN_USER_DEL failed (Device or resource busy): chain ${name}`);
  t.chains.delete(name);
}

/** Apply one command line (-A, -I, -D, -N, -X, -F, -P) to a working table. */
function applyCommand(t: WorkingTable, args: readonly string[]): void {
  const [command, chainName, ...rest] = args;
  switch (command) {
    case '-A':
    case '--append': {
      const chain = existing(t, chainName);
      const rule = ruleIn(t, rest);
      writable(chain).push(rule);
      return;
    }
    case '-I':
    case '--insert': {
      const chain = existing(t, chainName);
      let position = 1;
      let spec = rest;
      if (rest[0] !== undefined && /^\d+$/.test(rest[0])) {
        position = parseIndex(rest[0], 'rule');
        spec = rest.slice(1);
        if (position > chain.rules.length + 1) throw new RuleError('Index of insertion too big');
      }
      const rule = ruleIn(t, spec);
      writable(chain).splice(position - 1, 0, rule);
      return;
    }
    case '-D':
    case '--delete': {
      const chain = existing(t, chainName);
      if (rest.length === 1 && /^\d+$/.test(rest[0]!)) {
        const n = parseIndex(rest[0], 'rule');
        if (n > chain.rules.length) throw new RuleError('Index of deletion too big');
        writable(chain).splice(n - 1, 1);
        return;
      }
      const wanted = ruleIn(t, rest).canonical;
      const at = chain.rules.findIndex((r) => r.canonical === wanted);
      if (at < 0) throw new RuleError('Bad rule (does a matching rule exist in that chain?)');
      writable(chain).splice(at, 1);
      return;
    }
    case '-N':
    case '--new-chain': {
      if (chainName === undefined) throw new RuleError('-N requires a chain name');
      const bad = validChainName(chainName);
      if (bad) throw new RuleError(bad);
      if (t.chains.has(chainName)) throw new RuleError(`Chain already exists: ${chainName}`);
      const name = t.kept.keep(chainName);
      t.chains.set(name, { name, rules: [] });
      return;
    }
    case '-X':
    case '--delete-chain': {
      if (chainName === undefined) {
        // Without a name: every user chain, each of which must be empty and unreferenced.
        const users = [...t.chains.values()].filter((c) => c.policy === undefined).map((c) => c.name);
        for (const name of users) if (t.chains.get(name)!.rules.length > 0) throw new RuleError(`CHAIN_USER_DEL failed (Directory not empty): chain ${name}`);
        for (const name of users) t.chains.delete(name);
        return;
      }
      deleteChain(t, chainName);
      return;
    }
    case '-F':
    case '--flush': {
      if (chainName === undefined) for (const c of t.chains.values()) replaceRules(c, []);
      else replaceRules(existing(t, chainName), []);
      return;
    }
    case '-P':
    case '--policy': {
      if (!isBuiltinChain(t.name, chainName ?? '')) throw new RuleError(`Bad built-in chain name ${chainName ?? ''}`);
      const policy = rest[0];
      if (policy !== 'ACCEPT' && policy !== 'DROP') throw new RuleError(`Bad policy name \`${policy ?? ''}'`);
      existing(t, chainName).policy = policy;
      return;
    }
    default:
      throw new RuleError(command === undefined ? 'empty command' : `unknown command "${command}"`);
  }
}

/**
 * iptables-restore: apply `input` to `tables` and return the new tables. Throws RestoreError
 * (with the line number) on the first problem; then nothing of the input has been applied.
 */
export function iptablesRestore(tables: Tables, input: string, options: RestoreOptions = {}): Tables {
  const noflush = options.noflush ?? true;
  const lines = input.split('\n');
  if (lines.length > MAX_RESTORE_LINES) throw new RestoreError(MAX_RESTORE_LINES + 1, `input exceeds ${MAX_RESTORE_LINES} lines`);
  const committed: { [T in TableName]?: Table } = {};
  const kept = new KeptStrings(tables);
  let current: WorkingTable | undefined;
  let lineNo = 0;
  for (const raw of lines) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    try {
      if (trimmed.startsWith('*')) {
        if (current) throw new RuleError(`table '${trimmed.slice(1)}' started before COMMIT of table '${current.name}'`);
        const name = trimmed.slice(1);
        if (!(TABLE_NAMES as readonly string[]).includes(name)) throw new RuleError(`unable to initialize table '${name}'`);
        const base = committed[name as TableName] ?? tables[name as TableName];
        current = workingCopy(noflush ? base : { name: base.name, chains: new Map() }, kept);
        if (!noflush) for (const c of BUILTIN_CHAINS[current.name]) current.chains.set(c, { name: c, policy: 'ACCEPT', rules: [] });
        continue;
      }
      if (!current) throw new RuleError('no table specified (a line before the first *table)');
      if (trimmed === 'COMMIT') {
        const loop = findLoop(current);
        if (loop) throw new RuleError(`jump loop ${loop.join(' -> ')} (Too many levels of symbolic links)`);
        committed[current.name] = freeze(current);
        current = undefined;
        continue;
      }
      if (trimmed.startsWith(':')) {
        const parts = splitRestoreLine(trimmed.slice(1));
        const [name, policy, counters] = parts;
        if (name === undefined || policy === undefined) throw new RuleError('malformed chain line (want ":CHAIN POLICY [packets:bytes]")');
        if (counters !== undefined && !/^\[\d+:\d+\]$/.test(counters)) throw new RuleError(`bad counters "${counters}"`);
        if (parts.length > 3) throw new RuleError('malformed chain line (want ":CHAIN POLICY [packets:bytes]")');
        if (isBuiltinChain(current.name, name)) {
          if (policy !== '-') {
            if (policy !== 'ACCEPT' && policy !== 'DROP') throw new RuleError(`Bad policy name \`${policy}'`);
            current.chains.get(name)!.policy = policy;
          }
          continue;
        }
        if (policy !== '-') throw new RuleError(`Can't set policy \`${policy}' on \`${name}': Bad built-in chain name`);
        const bad = validChainName(name);
        if (bad) throw new RuleError(bad);
        const chain = current.chains.get(name);
        if (chain) replaceRules(chain, []);
        else current.chains.set(kept.keep(name), { name: kept.keep(name), rules: [] });
        continue;
      }
      let args = splitRestoreLine(trimmed);
      // --counters form: "[packets:bytes] -A CHAIN …"
      if (args[0] !== undefined && /^\[\d+:\d+\]$/.test(args[0])) args = args.slice(1);
      applyCommand(current, args);
    } catch (err) {
      if (err instanceof RuleError) throw new RestoreError(lineNo, err.message);
      throw err;
    }
  }
  if (current) throw new RestoreError(lineNo + 1, `COMMIT expected for table '${current.name}'`);
  return { filter: committed.filter ?? tables.filter, nat: committed.nat ?? tables.nat };
}
