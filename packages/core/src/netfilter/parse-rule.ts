// A rule specification (the argv after `-A CHAIN`) parsed as iptables does: `!` before an option
// inverts it, `-m NAME` loads a match whose options may follow anywhere later (kube-proxy writes
// `-m tcp -p tcp -d IP --dport N`), `--dport` after `-p tcp` loads the tcp match implicitly, and
// `-j NAME` names a built-in target or a chain of the same table. Only the matches and targets
// kube-proxy writes are known; anything else is refused with iptables' wording where it has one.
import { parseIPv4, parsePrefix, type Prefix } from './address.js';
import {
  ADDRESS_TYPES,
  CT_STATES,
  formatRuleSpec,
  quantiseProbability,
  type AddressType,
  type AddressTypeSpec,
  type CtStateName,
  type Match,
  type MatchKind,
  type PortSpec,
  type Protocol,
  type RecentAction,
  type Rule,
  type TableName,
  type Target,
} from './rule.js';

export class RuleError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RuleError';
  }
}

/** XT_MAX_COMMENT_LEN (256) including the terminating NUL. */
export const MAX_COMMENT_LENGTH = 255;
/** XT_RECENT_NAME_LEN (200) including the terminating NUL. */
export const MAX_RECENT_NAME_LENGTH = 199;
/** xt_recent's ip_pkt_list_tot: a --hitcount above it can never match and is refused. */
export const RECENT_MAX_HITCOUNT = 20;

export interface RuleContext {
  readonly table: TableName;
  /** Whether a chain of this table exists at this point of the restore (for `-j CHAIN`). */
  chainExists(name: string): boolean;
  /**
   * The string the rule keeps for `text`: equal to it, but not a substring of a larger input.
   * iptables-restore passes one, so that the live tables neither share the payload's storage (V8
   * slices keep their parent alive) nor hold one copy of a chain name or comment per rule.
   */
  keep?(text: string): string;
}

const asIs = (text: string): string => text;

const MATCH_OPTIONS: { readonly [K in MatchKind]: readonly string[] } = {
  tcp: ['--sport', '--source-port', '--dport', '--destination-port'],
  udp: ['--sport', '--source-port', '--dport', '--destination-port'],
  sctp: ['--sport', '--source-port', '--dport', '--destination-port'],
  comment: ['--comment'],
  addrtype: ['--src-type', '--dst-type'],
  mark: ['--mark'],
  statistic: ['--mode', '--probability'],
  recent: ['--name', '--set', '--rcheck', '--update', '--remove', '--seconds', '--reap', '--hitcount', '--rttl', '--rsource', '--rdest', '--mask'],
  conntrack: ['--ctstate'],
  nfacct: ['--nfacct-name'],
};

const TARGET_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  ACCEPT: [],
  DROP: [],
  RETURN: [],
  REJECT: ['--reject-with'],
  DNAT: ['--to-destination'],
  MARK: ['--set-xmark', '--set-mark', '--or-mark', '--xor-mark', '--and-mark'],
  MASQUERADE: ['--random-fully', '--random'],
};

/** Targets valid only in one table (the kernel's xt_target.table). */
const TARGET_TABLE: Readonly<Record<string, TableName>> = { DNAT: 'nat', MASQUERADE: 'nat', REJECT: 'filter' };

const REJECT_WITH: Readonly<Record<string, string>> = {
  'icmp-net-unreachable': 'icmp-net-unreachable',
  'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable',
  'host-unreach': 'icmp-host-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable',
  'port-unreach': 'icmp-port-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable',
  'proto-unreach': 'icmp-proto-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited',
  'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited',
  'host-prohib': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited',
  'admin-prohib': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset',
  'tcp-rst': 'tcp-reset',
};

const PROTOCOLS: Readonly<Record<string, Protocol | 'icmp' | 'all'>> = {
  tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', sctp: 'sctp', '132': 'sctp', icmp: 'icmp', '1': 'icmp', all: 'all', '0': 'all',
};

/** strtoul(…, 0) as xtables_strtoui uses it: 0x… hex, 0… octal, else decimal; 32 bits at most. */
export function parseUnsigned(text: string, what: string): number {
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) value = parseInt(text, 8);
  else if (/^[1-9][0-9]*$/.test(text)) value = parseInt(text, 10);
  else throw new RuleError(`Bad ${what} value "${text}"`);
  if (value > 0xffffffff) throw new RuleError(`Bad ${what} value "${text}"`);
  return value;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new RuleError(`invalid port/service \`${text}' specified`);
  return Number(text);
}

function parsePorts(text: string, invert: boolean): PortSpec {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text);
    return { min: p, max: p, invert };
  }
  const min = colon === 0 ? 0 : parsePort(text.slice(0, colon));
  const max = colon === text.length - 1 ? 65535 : parsePort(text.slice(colon + 1));
  if (min > max) throw new RuleError(`invalid portrange (min > max)`);
  return { min, max, invert };
}

function parseMarkPair(text: string, what: string): { value: number; mask: number | undefined } {
  const slash = text.indexOf('/');
  if (slash < 0) return { value: parseUnsigned(text, what), mask: undefined };
  return { value: parseUnsigned(text.slice(0, slash), what), mask: parseUnsigned(text.slice(slash + 1), what) };
}

interface MatchDraft {
  kind: MatchKind;
  seen: Set<string>;
  invert: Record<string, boolean>;
  values: Record<string, string>;
}

function canonicalOption(option: string): string {
  switch (option) {
    case '--source-port':
      return '--sport';
    case '--destination-port':
      return '--dport';
    default:
      return option;
  }
}

const FLAG_OPTIONS = new Set(['--set', '--rcheck', '--update', '--remove', '--reap', '--rttl', '--rsource', '--rdest', '--random-fully', '--random']);

function finishMatch(d: MatchDraft, protocol: { name: string; invert: boolean } | undefined, keep: (text: string) => string): Match {
  const v = d.values;
  switch (d.kind) {
    case 'tcp':
    case 'udp':
    case 'sctp': {
      // The kernel's xt_check_match: the match's protocol must be the rule's, not inverted.
      if (!protocol || protocol.name !== d.kind || protocol.invert) throw new RuleError(`match "${d.kind}" is only valid with -p ${d.kind}`);
      return {
        kind: d.kind,
        ...(v['--sport'] !== undefined ? { sport: parsePorts(v['--sport'], d.invert['--sport'] ?? false) } : {}),
        ...(v['--dport'] !== undefined ? { dport: parsePorts(v['--dport'], d.invert['--dport'] ?? false) } : {}),
      };
    }
    case 'comment': {
      const comment = v['--comment'];
      if (comment === undefined) throw new RuleError('COMMENT match: You must specify `--comment\'');
      if (comment.length > MAX_COMMENT_LENGTH) throw new RuleError(`comment may not exceed ${MAX_COMMENT_LENGTH} characters`);
      return { kind: 'comment', comment: keep(comment) };
    }
    case 'addrtype': {
      const types = (option: string): AddressTypeSpec | undefined => {
        const text = v[option];
        if (text === undefined) return undefined;
        const wanted = text.split(',').map((t) => t.toUpperCase());
        for (const t of wanted) if (!(ADDRESS_TYPES as readonly string[]).includes(t)) throw new RuleError(`addrtype: invalid address type "${t}"`);
        return { types: ADDRESS_TYPES.filter((t) => wanted.includes(t)) as AddressType[], invert: d.invert[option] ?? false };
      };
      const src = types('--src-type');
      const dst = types('--dst-type');
      if (!src && !dst) throw new RuleError('addrtype: you must specify --src-type or --dst-type');
      return { kind: 'addrtype', ...(src ? { src } : {}), ...(dst ? { dst } : {}) };
    }
    case 'mark': {
      if (v['--mark'] === undefined) throw new RuleError('mark match: You must specify `--mark\'');
      const { value, mask } = parseMarkPair(v['--mark'], 'mark');
      return { kind: 'mark', mark: value, mask: mask ?? 0xffffffff, invert: d.invert['--mark'] ?? false };
    }
    case 'statistic': {
      if (v['--mode'] !== 'random') throw new RuleError(v['--mode'] === undefined ? 'statistic: no mode specified' : `statistic: bad mode "${v['--mode']}" (kubemu knows only random)`);
      const text = v['--probability'];
      if (text === undefined) throw new RuleError('statistic: --probability must be specified for mode random');
      const p = Number(text);
      if (text.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new RuleError(`statistic: --probability "${text}" must be between 0 and 1`);
      return { kind: 'statistic', mode: 'random', probability: quantiseProbability(p), invert: d.invert['--probability'] ?? d.invert['--mode'] ?? false };
    }
    case 'recent': {
      const actions = (['set', 'rcheck', 'update', 'remove'] as const).filter((a) => d.seen.has(`--${a}`));
      if (actions.length !== 1) throw new RuleError("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
      const action: RecentAction = actions[0]!;
      const name = v['--name'] ?? 'DEFAULT';
      if (name.length === 0 || name.length > MAX_RECENT_NAME_LENGTH) throw new RuleError(`recent: --name must be 1 to ${MAX_RECENT_NAME_LENGTH} characters`);
      const seconds = v['--seconds'] === undefined ? 0 : parseUnsigned(v['--seconds'], 'seconds');
      const hitcount = v['--hitcount'] === undefined ? 0 : parseUnsigned(v['--hitcount'], 'hitcount');
      if (hitcount > RECENT_MAX_HITCOUNT) throw new RuleError(`recent: --hitcount ${hitcount} is above ip_pkt_list_tot (${RECENT_MAX_HITCOUNT})`);
      const reap = d.seen.has('--reap');
      if (reap && !seconds) throw new RuleError('recent: --reap requires --seconds');
      if ((seconds || hitcount) && (action === 'set' || action === 'remove')) throw new RuleError('recent: --seconds and --hitcount go with --rcheck or --update');
      if (d.seen.has('--rsource') && d.seen.has('--rdest')) throw new RuleError('recent: --rsource and --rdest are exclusive');
      let mask = 0xffffffff;
      if (v['--mask'] !== undefined) {
        const parsed = parseIPv4(v['--mask']);
        if (parsed === undefined) throw new RuleError(`recent: bad --mask "${v['--mask']}"`);
        mask = parsed;
      }
      const invert = Object.values(d.invert).some((x) => x);
      return { kind: 'recent', name: keep(name), action, seconds, reap, hitcount, rttl: d.seen.has('--rttl'), side: d.seen.has('--rdest') ? 'dest' : 'source', mask, invert };
    }
    case 'conntrack': {
      const text = v['--ctstate'];
      if (text === undefined) throw new RuleError('conntrack: At least one option is required');
      const wanted = text.split(',').map((s) => s.toUpperCase());
      for (const s of wanted) if (!(CT_STATES as readonly string[]).includes(s)) throw new RuleError(`Bad ctstate "${s}"`);
      return { kind: 'conntrack', ctstate: CT_STATES.filter((s) => wanted.includes(s)) as CtStateName[], invert: d.invert['--ctstate'] ?? false };
    }
    case 'nfacct': {
      const name = v['--nfacct-name'];
      if (name === undefined) throw new RuleError('nfacct: You must specify `--nfacct-name\'');
      if (name.length === 0 || name.length > 31) throw new RuleError('nfacct: --nfacct-name must be 1 to 31 characters');
      return { kind: 'nfacct', name: keep(name) };
    }
  }
}

function finishTarget(name: string, values: Record<string, string>, flags: Set<string>, table: TableName, keep: (text: string) => string): Target {
  const only = TARGET_TABLE[name];
  if (only && only !== table) throw new RuleError(`target ${name} is only valid in the ${only} table, not ${table}`);
  switch (name) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return { kind: name };
    case 'REJECT': {
      const w = values['--reject-with'] ?? 'icmp-port-unreachable';
      const canonical = REJECT_WITH[w];
      if (!canonical) throw new RuleError(`unknown reject type "${w}"`);
      return { kind: 'REJECT', rejectWith: canonical };
    }
    case 'DNAT': {
      const to = values['--to-destination'];
      if (to === undefined) throw new RuleError('DNAT: You must specify --to-destination');
      const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(to);
      if (!m || parseIPv4(m[1]!) === undefined) throw new RuleError(`Bad IP address "${to}"`);
      return { kind: 'DNAT', address: keep(m[1]!), ...(m[2] !== undefined ? { port: parsePort(m[2]) } : {}) };
    }
    case 'MARK': {
      const given = TARGET_OPTIONS.MARK!.filter((o) => values[o] !== undefined);
      if (given.length !== 1) throw new RuleError('MARK target: Parameter --set/and/or/xor-mark is required');
      const option = given[0]!;
      const { value, mask } = parseMarkPair(values[option]!, 'mark');
      // libxt_MARK.c mark_parse_v2
      switch (option) {
        case '--set-xmark':
          return { kind: 'MARK', mark: value, mask: mask ?? 0xffffffff };
        case '--set-mark':
          return { kind: 'MARK', mark: value, mask: (value | (mask ?? 0xffffffff)) >>> 0 };
        case '--or-mark':
          return { kind: 'MARK', mark: value, mask: value };
        case '--xor-mark':
          return { kind: 'MARK', mark: value, mask: 0 };
        default:
          return { kind: 'MARK', mark: 0, mask: ~value >>> 0 };
      }
    }
    case 'MASQUERADE':
      return { kind: 'MASQUERADE', randomFully: flags.has('--random-fully'), random: flags.has('--random') };
    default:
      return { kind: 'jump', chain: keep(name) };
  }
}

/** Parse the argv of a rule (everything after `-A CHAIN`). Throws RuleError with the reason. */
export function parseRuleSpec(args: readonly string[], ctx: RuleContext): Rule {
  let source: { prefix: Prefix; invert: boolean } | undefined;
  let destination: { prefix: Prefix; invert: boolean } | undefined;
  let inInterface: { name: string; invert: boolean } | undefined;
  let outInterface: { name: string; invert: boolean } | undefined;
  let protocol: { name: Protocol | 'icmp' | 'all'; invert: boolean } | undefined;
  const drafts: MatchDraft[] = [];
  let targetName: string | undefined;
  const targetValues: Record<string, string> = {};
  const targetFlags = new Set<string>();
  let invert = false;
  let i = 0;
  const keep = ctx.keep ?? asIs;

  const argument = (option: string): string => {
    const value = args[i++];
    if (value === undefined) throw new RuleError(`option "${option}" requires an argument`);
    return value;
  };
  const address = (option: string): { prefix: Prefix; invert: boolean } => {
    const text = argument(option);
    const prefix = parsePrefix(text);
    if (!prefix) throw new RuleError(`host/network \`${text}' not found`);
    return { prefix, invert };
  };
  const once = <T>(current: T | undefined, flag: string): void => {
    if (current !== undefined) throw new RuleError(`multiple ${flag} flags not allowed`);
  };

  while (i < args.length) {
    const token = args[i++]!;
    if (token === '!') {
      if (invert) throw new RuleError('multiple consecutive ! not allowed');
      invert = true;
      continue;
    }
    switch (token) {
      case '-p':
      case '--protocol': {
        once(protocol, '-p');
        const text = argument(token).toLowerCase();
        const name = PROTOCOLS[text];
        if (!name) throw new RuleError(`unknown protocol "${text}" specified`);
        protocol = { name, invert };
        break;
      }
      case '-s':
      case '--source':
      case '--src':
        once(source, '-s');
        source = address(token);
        break;
      case '-d':
      case '--destination':
      case '--dst':
        once(destination, '-d');
        destination = address(token);
        break;
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const name = argument(token);
        if (name.length === 0 || name.length > 15) throw new RuleError(`interface name \`${name}' must be shorter than IFNAMSIZ (15)`);
        if (token === '-i' || token === '--in-interface') {
          once(inInterface, '-i');
          inInterface = { name: keep(name), invert };
        } else {
          once(outInterface, '-o');
          outInterface = { name: keep(name), invert };
        }
        break;
      }
      case '-m':
      case '--match': {
        if (invert) throw new RuleError('unexpected ! flag before --match');
        const name = argument(token);
        if (!(name in MATCH_OPTIONS)) throw new RuleError(`Couldn't load match \`${name}':No such file or directory`);
        drafts.push({ kind: name as MatchKind, seen: new Set(), invert: {}, values: {} });
        break;
      }
      case '-j':
      case '--jump': {
        if (invert) throw new RuleError('cannot have ! before -j');
        once(targetName, '-j');
        const name = argument(token);
        if (!(name in TARGET_OPTIONS) && !ctx.chainExists(name)) throw new RuleError(`Couldn't load target \`${name}':No such file or directory`);
        targetName = name;
        break;
      }
      default: {
        if (!token.startsWith('-')) throw new RuleError(`Bad argument \`${token}'`);
        const option = canonicalOption(token);
        if (targetName !== undefined && (TARGET_OPTIONS[targetName] ?? []).includes(option)) {
          if (invert) throw new RuleError(`unexpected ! flag before ${token}`);
          if (targetFlags.has(option) || targetValues[option] !== undefined) throw new RuleError(`multiple ${token} flags not allowed`);
          if (FLAG_OPTIONS.has(option)) targetFlags.add(option);
          else targetValues[option] = argument(token);
          break;
        }
        let draft: MatchDraft | undefined;
        for (let k = drafts.length - 1; k >= 0 && !draft; k--) if (MATCH_OPTIONS[drafts[k]!.kind].includes(option) && !drafts[k]!.seen.has(option)) draft = drafts[k];
        if (!draft && (option === '--sport' || option === '--dport') && protocol && !protocol.invert && protocol.name !== 'icmp' && protocol.name !== 'all') {
          // iptables loads the protocol's match implicitly; iptables-save then prints `-m tcp`.
          draft = { kind: protocol.name, seen: new Set(), invert: {}, values: {} };
          drafts.push(draft);
        }
        if (!draft) {
          if (drafts.some((d) => MATCH_OPTIONS[d.kind].includes(option))) throw new RuleError(`multiple ${token} flags not allowed`);
          throw new RuleError(`unknown option "${token}"`);
        }
        draft.seen.add(option);
        draft.invert[option] = invert;
        if (!FLAG_OPTIONS.has(option)) draft.values[option] = argument(token);
        break;
      }
    }
    invert = false;
  }
  if (invert) throw new RuleError('! must be followed by an option');

  const matches = drafts.map((d) => finishMatch(d, protocol, keep));
  const target = targetName === undefined ? undefined : finishTarget(targetName, targetValues, targetFlags, ctx.table, keep);
  // Built by assignment rather than spreads: one object per rule, properties in the same order.
  const rule: { -readonly [K in keyof Rule]: Rule[K] } = {} as Rule;
  if (source) rule.source = source;
  if (destination) rule.destination = destination;
  if (inInterface) rule.inInterface = inInterface;
  if (outInterface) rule.outInterface = outInterface;
  if (protocol) rule.protocol = PROTOCOL_SPECS[`${protocol.invert ? '!' : ''}${protocol.name}`] ?? protocol;
  rule.matches = matches;
  if (target) rule.target = target;
  const canonical = formatRuleSpec(rule);
  const text = args.map(quoteArg).join(' ');
  // Most rules are written as iptables-save prints them: one string serves as both.
  rule.text = text === canonical ? canonical : text;
  rule.canonical = canonical;
  return rule;
}

/** The protocol specs, shared by every rule (rules are immutable). */
const PROTOCOL_SPECS: Readonly<Record<string, { readonly name: Protocol | 'icmp' | 'all'; readonly invert: boolean }>> = Object.fromEntries(
  (['tcp', 'udp', 'sctp', 'icmp', 'all'] as const).flatMap((name) => [
    [name, { name, invert: false }],
    [`!${name}`, { name, invert: true }],
  ]),
);

function quoteArg(arg: string): string {
  return /^[^\s"'\\]+$/.test(arg) ? arg : `"${arg.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
