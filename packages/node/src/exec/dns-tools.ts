// nslookup and dig (bind9 9.18, Debian 12's dnsutils) from inside the pod, printed as they print.
import { resolutionCandidates } from '@kubemu/core';
import { Output, silenceNote, type ExecContext, type ExecResult } from './context.js';
import { QTYPES, queryOnce, type DnsAnswer } from './dns-client.js';

const DIG_VERSION = '9.18.33-1~deb12u2-Debian';

export async function nslookup(ctx: ExecContext, args: string[]): Promise<ExecResult> {
  const o = new Output();
  let timeoutMs = 5000;
  let tries = 2;
  const names: string[] = [];
  for (const a of args) {
    if (a.startsWith('-timeout=')) timeoutMs = Number(a.slice(9)) * 1000;
    else if (a.startsWith('-retry=')) tries = Number(a.slice(7));
    else if (!a.startsWith('-')) names.push(a);
  }
  const [name, serverArg] = names;
  if (name === undefined) {
    o.err('nslookup: interactive mode is not emulated; give a name\n');
    return o.result(1);
  }
  const server = serverArg ?? ctx.resolvConf.nameservers[0]!;
  const candidates = name.includes('.') && !name.endsWith('.') ? resolutionCandidates(name, ctx.resolvConf) : resolutionCandidates(name, ctx.resolvConf);
  for (const candidate of candidates) {
    let answer: DnsAnswer | undefined;
    for (let i = 0; i < Math.max(1, tries) && !answer; i++) answer = await queryOnce(ctx, server, candidate, QTYPES.A!, timeoutMs);
    if (!answer) {
      o.out(';; connection timed out; no servers could be reached\n\n');
      o.err(silenceNote(ctx, server) ?? '');
      return o.result(1);
    }
    const a = answer.answers.filter((r) => r.type === 'A');
    if (answer.rcode === 0 && a.length > 0) {
      o.out(`Server:\t\t${server}\nAddress:\t${server}#53\n\n`);
      for (const r of a) o.out(`Name:\t${r.name.replace(/\.$/, '')}\nAddress: ${r.data}\n`);
      o.out('\n');
      return o.result(0);
    }
  }
  o.out(`Server:\t\t${server}\nAddress:\t${server}#53\n\n** server can't find ${name}: NXDOMAIN\n\n`);
  return o.result(1);
}

export async function dig(ctx: ExecContext, args: string[]): Promise<ExecResult> {
  const o = new Output();
  let server = ctx.resolvConf.nameservers[0]!;
  let timeoutMs = 5000;
  let tries = 3;
  let short = false;
  let search = false;
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('@')) server = a.slice(1);
    else if (a.startsWith('+time=')) timeoutMs = Number(a.slice(6)) * 1000;
    else if (a.startsWith('+tries=')) tries = Number(a.slice(7));
    else if (a === '+short') short = true;
    else if (a === '+search') search = true;
    else if (!a.startsWith('+') && !a.startsWith('-')) words.push(a);
  }
  const name = words.find((w) => QTYPES[w.toUpperCase()] === undefined) ?? '.';
  const type = words.find((w) => QTYPES[w.toUpperCase()] !== undefined)?.toUpperCase() ?? 'A';
  const shown = words.join(' ');
  const fqdn = search ? resolutionCandidates(name, ctx.resolvConf)[0]! : name.endsWith('.') ? name : `${name}.`;
  if (!short) o.out(`\n; <<>> DiG ${DIG_VERSION} <<>> ${args.join(' ') || shown}\n;; global options: +cmd\n`);
  let answer: DnsAnswer | undefined;
  const started = Date.now();
  for (let i = 0; i < Math.max(1, tries) && !answer; i++) answer = await queryOnce(ctx, server, fqdn, QTYPES[type]!, timeoutMs);
  if (!answer) {
    o.out(';; connection timed out; no servers could be reached\n');
    o.err(silenceNote(ctx, server) ?? '');
    return o.result(9);
  }
  if (short) {
    for (const r of answer.answers) o.out(`${r.data}\n`);
    return o.result(0);
  }
  const status = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][answer.rcode] ?? String(answer.rcode);
  o.out(`;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}\n\n;; QUESTION SECTION:\n;${fqdn}\t\t\tIN\t${type}\n\n`);
  if (answer.answers.length > 0) {
    o.out(';; ANSWER SECTION:\n');
    for (const r of answer.answers) o.out(`${r.name}\t${r.ttl}\tIN\t${r.type}\t${r.data}\n`);
    o.out('\n');
  }
  o.out(`;; Query time: ${Date.now() - started} msec\n;; SERVER: ${server}#53(${server}) (UDP)\n;; WHEN: ${new Date().toUTCString()}\n;; MSG SIZE  rcvd: ${answer.bytes}\n\n`);
  return o.result(0);
}
