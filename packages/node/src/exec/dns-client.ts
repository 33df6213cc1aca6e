// A stub resolver over the pod network: RFC 1035 queries over UDP to the resolv.conf nameserver,
// the search list walked as glibc does (core resolutionCandidates).
import { resolutionCandidates } from '@kubemu/core';
import type { ExecContext } from './context.js';

export const QTYPES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 };
const TYPE_NAMES = Object.fromEntries(Object.entries(QTYPES).map(([k, v]) => [v, k]));

export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export interface DnsAnswer {
  rcode: number;
  answers: DnsRecord[];
  bytes: number;
}

export function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, qname, tail]);
}

function readName(b: Buffer, at: number, depth = 0): { name: string; next: number } {
  const labels: string[] = [];
  let pos = at;
  let next = -1;
  for (let guard = 0; guard < 128; guard++) {
    const len = b[pos];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) {
      pos++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (depth > 16) throw new Error('compression loop');
      const target = b.readUInt16BE(pos) & 0x3fff;
      if (next < 0) next = pos + 2;
      const rest = readName(b, target, depth + 1);
      labels.push(rest.name.replace(/\.$/, ''));
      return { name: `${labels.filter((l) => l).join('.')}.`, next };
    }
    labels.push(b.subarray(pos + 1, pos + 1 + len).toString('ascii'));
    pos += 1 + len;
  }
  return { name: `${labels.join('.')}.`, next: next < 0 ? pos : next };
}

export function decodeAnswer(b: Buffer): DnsAnswer {
  const rcode = b.readUInt16BE(2) & 0xf;
  const qd = b.readUInt16BE(4);
  const an = b.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(b, pos).next + 4;
  const answers: DnsRecord[] = [];
  for (let i = 0; i < an; i++) {
    const { name, next } = readName(b, pos);
    const type = b.readUInt16BE(next);
    const ttl = b.readUInt32BE(next + 4);
    const len = b.readUInt16BE(next + 8);
    const rdata = b.subarray(next + 10, next + 10 + len);
    let data: string;
    if (type === 1) data = [...rdata].join('.');
    else if (type === 5 || type === 12 || type === 2) data = readName(b, next + 10).name;
    else if (type === 33) data = `${rdata.readUInt16BE(0)} ${rdata.readUInt16BE(2)} ${rdata.readUInt16BE(4)} ${readName(b, next + 16).name}`;
    else data = rdata.toString('hex');
    answers.push({ name, type: TYPE_NAMES[type] ?? String(type), ttl, data });
    pos = next + 10 + len;
  }
  return { rcode, answers, bytes: b.length };
}

/** One query to one server; undefined when nothing answered within the timeout. */
export function queryOnce(ctx: ExecContext, server: string, name: string, qtype: number, timeoutMs: number): Promise<DnsAnswer | undefined> {
  const id = Math.floor(Math.random() * 0x10000);
  return new Promise((resolve) => {
    const socket = ctx.net.bindDatagram(ctx.podIP, (payload) => {
      if (payload.length < 12 || payload.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      socket.close();
      try {
        resolve(decodeAnswer(payload));
      } catch {
        resolve(undefined);
      }
    });
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, Math.max(0, Math.min(timeoutMs, ctx.deadlineMs - Date.now())));
    ctx.net.sendDatagram({ protocol: 'UDP', srcIP: ctx.podIP, srcPort: socket.port, dstIP: server, dstPort: 53 }, encodeQuery(id, name, qtype), 'local');
  });
}

export type Resolution = { ok: true; name: string; addresses: string[] } | { ok: false; error: 'timeout' | 'nxdomain' };

/** getaddrinfo for an IPv4 address: each search candidate in turn, `attempts` tries of `timeoutMs`. */
export async function resolveHost(ctx: ExecContext, host: string, timeoutMs = 5000, attempts = 2): Promise<Resolution> {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return { ok: true, name: host, addresses: [host] };
  const server = ctx.resolvConf.nameservers[0]!;
  for (const candidate of resolutionCandidates(host, ctx.resolvConf)) {
    let answer: DnsAnswer | undefined;
    for (let i = 0; i < attempts && !answer; i++) answer = await queryOnce(ctx, server, candidate, QTYPES.A!, timeoutMs);
    if (!answer) return { ok: false, error: 'timeout' };
    const a = answer.answers.filter((r) => r.type === 'A').map((r) => r.data);
    if (answer.rcode === 0 && a.length > 0) return { ok: true, name: candidate, addresses: a };
  }
  return { ok: false, error: 'nxdomain' };
}
