// The digest a proxy agent reports for its node's live rules, and the convergence oracle computes
// for the rules the log implies: sha256 over the nat and filter iptables-save with what varies
// between two saves of the same rules removed (the `#` date lines and the [packets:bytes] counters).
import { createHash } from 'node:crypto';

/** iptables-save text without comment lines and with every chain counter zeroed; tables in save order. */
export function normalizeSave(save: string): string {
  const out: string[] = [];
  for (const raw of save.split('\n')) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    out.push(line.startsWith(':') ? line.replace(/ \[\d+:\d+\]$/, ' [0:0]') : line);
  }
  return out.map((l) => `${l}\n`).join('');
}

/** `sha256:<hex>` of normalizeSave(save). */
export function rulesDigest(save: string): string {
  return `sha256:${createHash('sha256').update(normalizeSave(save), 'utf8').digest('hex')}`;
}

/** The number of rules (`-A` lines) in a save. */
export function countRules(save: string): number {
  let n = 0;
  for (const line of save.split('\n')) if (line.startsWith('-A ')) n++;
  return n;
}

/** The chains a save declares in one table (`:NAME …` lines after `*table`). */
export function chainsInSave(save: string, table: 'nat' | 'filter'): string[] {
  const chains: string[] = [];
  let current: string | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) current = line.slice(1).trim();
    else if (line === 'COMMIT') current = undefined;
    else if (current === table && line.startsWith(':')) chains.push(line.slice(1).split(' ')[0]!);
  }
  return chains;
}
