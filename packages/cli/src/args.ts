// Flags as kubectl (spf13/pflag) spells them, parsed with node:util parseArgs. A bad command line
// exits 2 with kubectl's wording (`error: unknown flag: --foo`, `See '... --help' for usage.`).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const USAGE_EXIT_CODE = 2;

export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help the message points to, e.g. "get". */
    readonly command: string,
  ) {
    super(message);
  }
}

export type FlagSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean | string[] };
export type FlagSpecs = Record<string, FlagSpec>;

/** Flags every command takes. */
export const COMMON_FLAGS = {
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * pflag accepts `-o=yaml` and `-oyaml`; parseArgs only the second (it reads `-o=yaml` as "=yaml").
 * Everything after `--` stays as it is.
 */
export function normalizeShortEquals(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^-([A-Za-z])=(.*)$/s.exec(a);
    if (m) out.push(`-${m[1]}`, m[2]!);
    else out.push(a);
  }
  return out;
}

function usageMessage(err: unknown, specs: FlagSpecs): string | undefined {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
      // pflag: "unknown shorthand flag: 'x' in -x" for a single-dash flag.
      if (/^-[^-]/.test(flag)) return `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
      return `unknown flag: ${flag.split('=')[0]}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "Option '-o, --output <value>' argument missing" / "Option '--detach' does not take an argument"
      const long = /--([\w-]+)/.exec(msg)?.[1];
      if (/argument missing/.test(msg) && long) return `flag needs an argument: --${long}`;
      if (long && specs[long]?.type === 'boolean') return `flag --${long} does not take a value`;
      return msg;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument: ${/'([^']+)'/.exec(msg)?.[1] ?? msg}`;
    default:
      return undefined;
  }
}

export function parseCommandArgs(command: string, argv: readonly string[], specs: FlagSpecs, allowPositionals = true): ParsedArgs {
  const options = { ...COMMON_FLAGS, ...specs } as NonNullable<ParseArgsConfig['options']>;
  try {
    const { values, positionals } = parseArgs({ args: normalizeShortEquals(argv), options, allowPositionals, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const message = usageMessage(err, { ...COMMON_FLAGS, ...specs });
    if (message === undefined) throw err;
    throw new UsageError(message, command);
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringsFlag(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A non-negative integer flag; a bad value is a usage error. */
export function integerFlag(args: ParsedArgs, command: string, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`invalid argument "${v}" for "--${name}" flag: must be an integer between ${min} and ${max}`, command);
  }
  return n;
}
