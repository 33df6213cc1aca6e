// A parsed netfilter rule and its canonical `iptables-save` text. The print order is the one
// iptables-save uses whatever order the rule was written in (iptables save_ipv4 / print_rule4):
// -s, -d, -i, -o, -p, then each match as `-m name` with its options in load order, then -j and
// the target's options. Each extension prints its options as its libxt_*.c save function does.
import { formatPrefix, type Prefix } from './address.js';

export type TableName = 'filter' | 'nat';
export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface AddressSpec {
  readonly prefix: Prefix;
  readonly invert: boolean;
}

export interface InterfaceSpec {
  /** Interface name; a trailing `+` matches every name with that prefix. */
  readonly name: string;
  readonly invert: boolean;
}

export interface PortSpec {
  readonly min: number;
  readonly max: number;
  readonly invert: boolean;
}

/** Address types of libxt_addrtype, in the order it prints them. */
export const ADDRESS_TYPES = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE',
] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

export interface AddressTypeSpec {
  readonly types: readonly AddressType[];
  readonly invert: boolean;
}

/** Connection tracking states of libxt_conntrack, in the order it prints them. */
export const CT_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
export type CtStateName = (typeof CT_STATES)[number];

export type RecentAction = 'set' | 'rcheck' | 'update' | 'remove';

export type Match =
  | { readonly kind: 'tcp' | 'udp' | 'sctp'; readonly sport?: PortSpec; readonly dport?: PortSpec }
  | { readonly kind: 'comment'; readonly comment: string }
  | { readonly kind: 'addrtype'; readonly src?: AddressTypeSpec; readonly dst?: AddressTypeSpec }
  | { readonly kind: 'mark'; readonly mark: number; readonly mask: number; readonly invert: boolean }
  | {
      readonly kind: 'statistic';
      readonly mode: 'random';
      /** lround(0x80000000 * p): what the kernel compares a 31-bit random number against. */
      readonly probability: number;
      readonly invert: boolean;
    }
  | {
      readonly kind: 'recent';
      readonly name: string;
      readonly action: RecentAction;
      readonly seconds: number;
      readonly reap: boolean;
      readonly hitcount: number;
      readonly rttl: boolean;
      readonly side: 'source' | 'dest';
      readonly mask: number;
      readonly invert: boolean;
    }
  | { readonly kind: 'conntrack'; readonly ctstate: readonly CtStateName[]; readonly invert: boolean }
  | { readonly kind: 'nfacct'; readonly name: string };

export type MatchKind = Match['kind'];

export type Target =
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { readonly kind: 'REJECT'; readonly rejectWith: string }
  | { readonly kind: 'DNAT'; readonly address: string; readonly port?: number }
  /** MARK as the kernel stores it: new mark = (old & ~mask) ^ mark (xt_MARK.c). */
  | { readonly kind: 'MARK'; readonly mark: number; readonly mask: number }
  | { readonly kind: 'MASQUERADE'; readonly randomFully: boolean; readonly random: boolean }
  | { readonly kind: 'jump'; readonly chain: string };

export interface Rule {
  readonly source?: AddressSpec;
  readonly destination?: AddressSpec;
  readonly inInterface?: InterfaceSpec;
  readonly outInterface?: InterfaceSpec;
  readonly protocol?: { readonly name: Protocol | 'icmp' | 'all'; readonly invert: boolean };
  readonly matches: readonly Match[];
  /** No target: the rule only counts packets (kube-proxy's KUBE-FW "other traffic …" rule). */
  readonly target?: Target;
  /** The rule as it was written (after the chain name), for error messages and debugging. */
  readonly text: string;
  /** The rule in iptables-save form (after `-A CHAIN `); also what -C and -D compare. */
  readonly canonical: string;
}

/** `%.11f` of probability / 0x80000000, rounded half-to-even on the exact value as glibc printf does. */
export function formatSavedProbability(probability: number): string {
  const scaled = BigInt(probability) * 10n ** 11n;
  const denominator = 1n << 31n;
  let units = scaled / denominator;
  const twice = (scaled % denominator) * 2n;
  if (twice > denominator || (twice === denominator && units % 2n === 1n)) units += 1n;
  const digits = units.toString().padStart(12, '0');
  return `${digits.slice(0, -11)}.${digits.slice(-11)}`;
}

/** libxt_statistic: `info->u.random.probability = lround(0x80000000 * p)`. */
export function quantiseProbability(p: number): number {
  return Math.round(0x80000000 * p);
}

const NO_QUOTE = /^[_\-0-9a-zA-Z]+$/;

/** xtables_save_string: bare when only [_-0-9a-zA-Z], else double-quoted with `"`, `\` and `'` escaped. */
export function saveString(value: string): string {
  if (NO_QUOTE.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function ports(p: PortSpec): string {
  return p.min === p.max ? `${p.min}` : `${p.min}:${p.max}`;
}

function inv(invert: boolean): string {
  return invert ? '! ' : '';
}

function formatMatch(m: Match): string {
  const parts: string[] = [`-m ${m.kind}`];
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp':
      if (m.sport) parts.push(`${inv(m.sport.invert)}--sport ${ports(m.sport)}`);
      if (m.dport) parts.push(`${inv(m.dport.invert)}--dport ${ports(m.dport)}`);
      break;
    case 'comment':
      parts.push(`--comment ${saveString(m.comment)}`);
      break;
    case 'addrtype':
      if (m.src) parts.push(`${inv(m.src.invert)}--src-type ${m.src.types.join(',')}`);
      if (m.dst) parts.push(`${inv(m.dst.invert)}--dst-type ${m.dst.types.join(',')}`);
      break;
    case 'mark':
      parts.push(`${inv(m.invert)}--mark ${m.mask === 0xffffffff ? hex(m.mark) : `${hex(m.mark)}/${hex(m.mask)}`}`);
      break;
    case 'statistic':
      // libxt_statistic print_match puts the `!` between the mode and the probability.
      parts.push(`--mode random ${inv(m.invert)}--probability ${formatSavedProbability(m.probability)}`);
      break;
    case 'recent': {
      // libxt_recent.c recent_save
      if (m.invert) parts.push('!');
      parts.push(`--${m.action}`);
      if (m.seconds) parts.push(`--seconds ${m.seconds}`);
      if (m.reap) parts.push('--reap');
      if (m.hitcount) parts.push(`--hitcount ${m.hitcount}`);
      if (m.rttl) parts.push('--rttl');
      parts.push(`--name ${m.name}`, `--mask ${formatMask(m.mask)}`, m.side === 'source' ? '--rsource' : '--rdest');
      break;
    }
    case 'conntrack':
      parts.push(`${inv(m.invert)}--ctstate ${m.ctstate.join(',')}`);
      break;
    case 'nfacct':
      // libxt_nfacct prints " --nfacct-name " then xtables_save_string's own leading space.
      parts.push(`--nfacct-name  ${saveString(m.name)}`);
      break;
  }
  return parts.join(' ');
}

function formatMask(mask: number): string {
  return [mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255].join('.');
}

function formatTarget(t: Target): string {
  switch (t.kind) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return `-j ${t.kind}`;
    case 'REJECT':
      return `-j REJECT --reject-with ${t.rejectWith}`;
    case 'DNAT':
      return `-j DNAT --to-destination ${t.address}${t.port === undefined ? '' : `:${t.port}`}`;
    case 'MARK':
      return `-j MARK --set-xmark ${hex(t.mark)}/${hex(t.mask)}`;
    case 'MASQUERADE':
      return `-j MASQUERADE${t.random ? ' --random' : ''}${t.randomFully ? ' --random-fully' : ''}`;
    case 'jump':
      return `-j ${t.chain}`;
  }
}

/** The rule in iptables-save form, without the leading `-A CHAIN`. */
export function formatRuleSpec(rule: Omit<Rule, 'canonical' | 'text'>): string {
  const parts: string[] = [];
  if (rule.source) parts.push(`${inv(rule.source.invert)}-s ${formatPrefix(rule.source.prefix)}`);
  if (rule.destination) parts.push(`${inv(rule.destination.invert)}-d ${formatPrefix(rule.destination.prefix)}`);
  if (rule.inInterface) parts.push(`${inv(rule.inInterface.invert)}-i ${rule.inInterface.name}`);
  if (rule.outInterface) parts.push(`${inv(rule.outInterface.invert)}-o ${rule.outInterface.name}`);
  if (rule.protocol && rule.protocol.name !== 'all') parts.push(`${inv(rule.protocol.invert)}-p ${rule.protocol.name}`);
  for (const m of rule.matches) parts.push(formatMatch(m));
  if (rule.target) parts.push(formatTarget(rule.target));
  return parts.join(' ');
}

export function formatRule(chain: string, rule: Rule): string {
  return rule.canonical === '' ? `-A ${chain}` : `-A ${chain} ${rule.canonical}`;
}
