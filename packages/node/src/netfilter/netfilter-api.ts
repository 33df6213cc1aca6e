// The node's netfilter on its kubelet port, what the proxy agent (kube-proxy's iptables-restore,
// iptables -C/-I/-A, iptables-save) and `kubemu rules|trace` use. Same bearer token as exec.
//
//   POST /netfilter/restore   text/plain iptables-restore --noflush payload → 200 {"applied":true} | 400 "iptables-restore: line N failed: …"
//   POST /netfilter/ensure    JSON [{table, position, chain, args}] (EnsureChain + EnsureRule) → 200 {"created":N} | 400
//   GET  /netfilter/save[?table=nat|filter] → text/plain iptables-save
//   POST /netfilter/trace     JSON {src, dst, dport, proto, sport?} → traceJson on the live tables
//   GET  /netfilter/conntrack[?proto=tcp|udp|sctp] → JSON [{original, reply, seenReply, assured, closing, timeoutSeconds}] (conntrack -L)
//   POST /netfilter/conntrack/delete JSON [{proto, original?: {src?, sport?, dst?, dport?}, reply?: {…}}] → 200 {"deleted":N} (conntrack -D;
//        kube-proxy's ClearEntries: the proxy agent lists, computes core's staleUdpConntrackFilters, deletes)
import { netfilter } from '@kubemu/core';
import { ConntrackFilterError, EnsureError, type EnsureRequest, type NodeNetfilter, type TraceRequest } from './node-netfilter.js';

/** A restore payload: kube-proxy's full sync of 10,000 Services × 10 endpoints is about 40 MB. */
export const MAX_RESTORE_BYTES = 64 * 1024 * 1024;
export const MAX_NETFILTER_JSON_BYTES = 1024 * 1024;

export interface NetfilterAnswer {
  status: number;
  body: string;
  type: string;
}

const json = (status: number, body: unknown): NetfilterAnswer => ({ status, body: JSON.stringify(body), type: 'application/json' });
const text = (status: number, body: string): NetfilterAnswer => ({ status, body, type: 'text/plain; charset=utf-8' });

/** The body limit of a netfilter route, or undefined when the request is not one. */
export function netfilterRoute(method: string, pathname: string): { maxBodyBytes: number } | undefined {
  if (method === 'POST' && pathname === '/netfilter/restore') return { maxBodyBytes: MAX_RESTORE_BYTES };
  if (method === 'POST' && (pathname === '/netfilter/ensure' || pathname === '/netfilter/trace' || pathname === '/netfilter/conntrack/delete')) {
    return { maxBodyBytes: MAX_NETFILTER_JSON_BYTES };
  }
  if (method === 'GET' && (pathname === '/netfilter/save' || pathname === '/netfilter/conntrack')) return { maxBodyBytes: 0 };
  return undefined;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function parseTrace(body: unknown): TraceRequest | string {
  const b = body as Partial<Record<keyof TraceRequest, unknown>>;
  if (typeof b !== 'object' || b === null) return 'want a JSON object {src, dst, dport, proto, sport?}';
  if (typeof b.src !== 'string' || netfilter.parseIPv4(b.src) === undefined) return `src: want an IPv4 address, got ${JSON.stringify(b.src)}`;
  if (typeof b.dst !== 'string' || netfilter.parseIPv4(b.dst) === undefined) return `dst: want an IPv4 address, got ${JSON.stringify(b.dst)}`;
  const port = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
  if (!port(b.dport)) return `dport: want a port 1-65535, got ${JSON.stringify(b.dport)}`;
  if (b.sport !== undefined && !port(b.sport)) return `sport: want a port 1-65535, got ${JSON.stringify(b.sport)}`;
  const proto = b.proto ?? 'tcp';
  if (typeof proto !== 'string' || !PROTOCOLS.has(proto)) return `proto: want tcp, udp or sctp, got ${JSON.stringify(b.proto)}`;
  return { src: b.src, dst: b.dst, dport: b.dport as number, proto: proto as netfilter.Protocol, ...(b.sport !== undefined ? { sport: b.sport as number } : {}) };
}

function parseFilterTuple(v: unknown, where: string): netfilter.ConntrackFilterTuple | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${where}: want an object {src?, sport?, dst?, dport?}`;
  const t = v as Record<string, unknown>;
  const out: { src?: string; sport?: number; dst?: string; dport?: number } = {};
  for (const [k, value] of Object.entries(t)) {
    if (k === 'src' || k === 'dst') {
      if (typeof value !== 'string' || netfilter.parseIPv4(value) === undefined) return `${where}.${k}: want an IPv4 address, got ${JSON.stringify(value)}`;
      out[k] = value;
    } else if (k === 'sport' || k === 'dport') {
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) return `${where}.${k}: want a port 1-65535, got ${JSON.stringify(value)}`;
      out[k] = value as number;
    } else return `${where}: unknown field ${JSON.stringify(k)}`;
  }
  return out;
}

function parseConntrackFilters(body: unknown): netfilter.ConntrackFilter[] | string {
  if (!Array.isArray(body)) return 'want a JSON array of {proto, original?, reply?}';
  const filters: netfilter.ConntrackFilter[] = [];
  for (const [i, f] of body.entries()) {
    if (typeof f !== 'object' || f === null) return `filter ${i + 1}: want an object {proto, original?, reply?}`;
    const { proto, original, reply } = f as Record<string, unknown>;
    if (typeof proto !== 'string' || !PROTOCOLS.has(proto)) return `filter ${i + 1}: proto: want tcp, udp or sctp, got ${JSON.stringify(proto)}`;
    const o = original === undefined ? undefined : parseFilterTuple(original, `filter ${i + 1}: original`);
    if (typeof o === 'string') return o;
    const r = reply === undefined ? undefined : parseFilterTuple(reply, `filter ${i + 1}: reply`);
    if (typeof r === 'string') return r;
    filters.push({ proto: proto as netfilter.Protocol, ...(o ? { original: o } : {}), ...(r ? { reply: r } : {}) });
  }
  return filters;
}

export function handleNetfilter(nf: NodeNetfilter, method: string, url: URL, body: string): NetfilterAnswer {
  switch (`${method} ${url.pathname}`) {
    case 'POST /netfilter/restore':
      try {
        nf.restore(body);
        return json(200, { applied: true });
      } catch (err) {
        if (err instanceof netfilter.RestoreError) return text(400, `${err.message}\n`);
        throw err;
      }
    case 'POST /netfilter/ensure': {
      let requests: unknown;
      try {
        requests = JSON.parse(body);
      } catch (err) {
        return text(400, `ensure: ${(err as Error).message}\n`);
      }
      if (!Array.isArray(requests)) return text(400, 'ensure: want a JSON array of {table, position, chain, args}\n');
      try {
        return json(200, nf.ensure(requests as EnsureRequest[]));
      } catch (err) {
        if (err instanceof EnsureError) return text(400, `ensure: ${err.message}\n`);
        throw err;
      }
    }
    case 'GET /netfilter/save': {
      const table = url.searchParams.get('table');
      if (table !== null && table !== 'nat' && table !== 'filter') return text(400, `iptables-save: table '${table}' does not exist\n`);
      return text(200, nf.save(table ?? undefined));
    }
    case 'POST /netfilter/trace': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        return text(400, `trace: ${(err as Error).message}\n`);
      }
      const request = parseTrace(parsed);
      if (typeof request === 'string') return text(400, `trace: ${request}\n`);
      return json(200, nf.trace(request));
    }
    case 'GET /netfilter/conntrack': {
      const proto = url.searchParams.get('proto');
      if (proto !== null && !PROTOCOLS.has(proto)) return text(400, `conntrack: proto: want tcp, udp or sctp, got ${JSON.stringify(proto)}\n`);
      return json(200, nf.conntrackList((proto ?? undefined) as netfilter.Protocol | undefined));
    }
    case 'POST /netfilter/conntrack/delete': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        return text(400, `conntrack: ${(err as Error).message}\n`);
      }
      const filters = parseConntrackFilters(parsed);
      if (typeof filters === 'string') return text(400, `conntrack: ${filters}\n`);
      try {
        return json(200, nf.conntrackDelete(filters));
      } catch (err) {
        if (err instanceof ConntrackFilterError) return text(400, `conntrack: ${err.message}\n`);
        throw err;
      }
    }
    default:
      return json(404, { message: `no such path: ${method} ${url.pathname}` });
  }
}
