// A node's netfilter API for tests that exercise the proxy agent alone: the contract's four
// endpoints over core's netfilter (the same restore, ensure and save the node runs), with no
// sockets or pods behind it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyEnsureRequests, netfilter, type EnsureRuleRequest } from '@kubemu/core';

export interface NetfilterDouble {
  url: string;
  port: number;
  tables(): netfilter.Tables;
  restores: string[];
  close(): Promise<void>;
}

export async function startNetfilterDouble(token: string, address = '127.0.0.1'): Promise<NetfilterDouble> {
  let tables = netfilter.emptyTables();
  const restores: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: string, type = 'text/plain'): void => {
        res.writeHead(status, { 'Content-Type': type });
        res.end(body);
      };
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, 'Unauthorized');
      const url = new URL(req.url ?? '/', 'http://node');
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        if (req.method === 'POST' && url.pathname === '/netfilter/restore') {
          tables = netfilter.iptablesRestore(tables, body);
          restores.push(body);
          return send(200, JSON.stringify({ applied: true }), 'application/json');
        }
        if (req.method === 'POST' && url.pathname === '/netfilter/ensure') {
          tables = applyEnsureRequests(tables, JSON.parse(body) as EnsureRuleRequest[]);
          return send(200, '{}', 'application/json');
        }
        if (req.method === 'GET' && url.pathname === '/netfilter/save') {
          const table = url.searchParams.get('table');
          return send(200, netfilter.iptablesSave(tables, table === 'nat' || table === 'filter' ? { table } : {}));
        }
        send(404, 'not found');
      } catch (err) {
        send(400, (err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${address}:${port}`,
    port,
    tables: () => tables,
    restores,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
