// sh -c 'COMMANDS' (dash, as /bin/sh in Debian-based images), enough for the one-liners people
// pass to `kubectl exec` — `echo hostname | nc -u -w1 10.96.0.10 53`, `a && b`, `a; b` — over the
// emulated commands: words with '…' and "…" quoting, pipelines, ; && ||. A pipeline's commands run
// one after another, each reading what the one before printed (the emulated tools do not stream).
// Redirections, variables and substitutions are not emulated and say so.
import { Output, type ExecContext, type ExecResult } from './context.js';

export type ShellToken = { word: string } | { op: '|' | '||' | '&&' | ';' };
export type RunCommand = (ctx: ExecContext, argv: readonly string[]) => Promise<ExecResult>;

export class ShellSyntaxError extends Error {
  override name = 'ShellSyntaxError';
}

/** Words and operators of a command line. */
export function tokenizeShell(line: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  let word: string | undefined;
  const flush = (): void => {
    if (word !== undefined) tokens.push({ word });
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') flush();
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('Syntax error: Unterminated quoted string');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        else if (line[i] === '$' || line[i] === '`') throw new ShellSyntaxError(`${line[i]}: expansions are not emulated`);
        text += line[i];
      }
      if (i >= line.length) throw new ShellSyntaxError('Syntax error: Unterminated quoted string');
      word = (word ?? '') + text;
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else if (c === '|' || c === '&' || c === ';') {
      flush();
      const two = line.slice(i, i + 2);
      if (two === '||' || two === '&&') {
        tokens.push({ op: two });
        i++;
      } else if (c === '&') throw new ShellSyntaxError('&: background jobs are not emulated');
      else tokens.push({ op: c });
    } else if (c === '>' || c === '<' || c === '$' || c === '`' || c === '(' || c === ')') {
      throw new ShellSyntaxError(`${c}: redirections, expansions and subshells are not emulated`);
    } else word = (word ?? '') + c;
  }
  flush();
  return tokens;
}

/** Runs `sh -c LINE`: dash's exit status and its "not found" wording for a missing command. */
export async function runShell(ctx: ExecContext, line: string, known: (cmd: string) => boolean, run: RunCommand): Promise<ExecResult> {
  const o = new Output();
  let tokens: ShellToken[];
  try {
    tokens = tokenizeShell(line);
  } catch (err) {
    o.err(`sh: 1: ${(err as Error).message}\n`);
    return o.result(2);
  }
  let status = 0;
  let i = 0;
  let skip = false;
  while (i < tokens.length) {
    const pipeline: string[][] = [[]];
    for (; i < tokens.length; i++) {
      const t = tokens[i]!;
      if ('word' in t) pipeline.at(-1)!.push(t.word);
      else if (t.op === '|') pipeline.push([]);
      else break;
    }
    const op = tokens[i] && 'op' in tokens[i]! ? (tokens[i] as { op: string }).op : undefined;
    i++;
    if (pipeline.some((argv) => argv.length === 0)) {
      if (pipeline.length === 1 && op === undefined) break;
      o.err(`sh: 1: Syntax error: "${op ?? '|'}" unexpected\n`);
      return o.result(2);
    }
    if (!skip) {
      let stdin = ctx.stdin;
      for (const argv of pipeline) {
        const cmd = argv[0]!.split('/').pop()!;
        let r: ExecResult;
        if (!known(cmd)) r = { stdout: '', stderr: `sh: 1: ${argv[0]}: not found\n`, exitCode: 127 };
        else r = await run({ ...ctx, stdin }, argv);
        stdin = r.stdout;
        o.err(r.stderr);
        status = r.exitCode;
      }
      o.out(stdin);
    }
    skip = (op === '&&' && status !== 0) || (op === '||' && status === 0);
  }
  return o.result(status);
}
