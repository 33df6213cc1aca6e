// The live netfilter tables of one node: filter and nat, their built-in chains (with policies)
// and user chains, each holding parsed rules. Plain immutable data: a restore builds a new value.
import type { Rule, TableName } from './rule.js';

export type Policy = 'ACCEPT' | 'DROP';

/** Built-in chains per table, in hook order (the order iptables-save prints them). */
export const BUILTIN_CHAINS: { readonly [T in TableName]: readonly string[] } = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

export const TABLE_NAMES: readonly TableName[] = ['filter', 'nat'];

/** XT_EXTENSION_MAXNAMELEN (29) including the terminating NUL. */
export const MAX_CHAIN_NAME_LENGTH = 28;

export interface Chain {
  readonly name: string;
  /** ACCEPT or DROP for a built-in chain; undefined for a user chain. */
  readonly policy?: Policy;
  readonly rules: readonly Rule[];
}

export interface Table {
  readonly name: TableName;
  readonly chains: ReadonlyMap<string, Chain>;
}

export interface Tables {
  readonly filter: Table;
  readonly nat: Table;
}

export function emptyTable(name: TableName): Table {
  return { name, chains: new Map(BUILTIN_CHAINS[name].map((c) => [c, { name: c, policy: 'ACCEPT', rules: [] }])) };
}

/** A freshly booted node: both tables with empty built-in chains whose policy is ACCEPT. */
export function emptyTables(): Tables {
  return { filter: emptyTable('filter'), nat: emptyTable('nat') };
}

export function isBuiltinChain(table: TableName, chain: string): boolean {
  return BUILTIN_CHAINS[table].includes(chain);
}

/** Chains in iptables-save order: built-ins in hook order, then user chains sorted by name (libiptc keeps them sorted). */
export function chainsInSaveOrder(table: Table): Chain[] {
  const builtins = BUILTIN_CHAINS[table.name].map((name) => table.chains.get(name)).filter((c): c is Chain => c !== undefined);
  const users = [...table.chains.values()].filter((c) => c.policy === undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...builtins, ...users];
}
