import { describe, expect, it } from 'vitest';
import { workloadOf } from './workload.js';
import { workloadDatagramLine, workloadRequestLine, workloadStartLines } from './workload-log.js';
import type { Container } from '../api/types.js';

const T = Date.UTC(2024, 10, 27, 10, 0, 5, 0);
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const req = (target: string, client: string, headers: [string, string][] = []) => ({ method: 'GET', target, version: 'HTTP/1.1', headers: new Map(headers), client, status: 200, bodyBytes: 47 });

describe('what containers print', () => {
  it.each<[string, Container, ReturnType<typeof req>, string | undefined]>([
    ['nginx: SNATed to the node', { name: 'nginx', image: 'nginx:1.27' }, req('/', '127.0.1.2:40112', [['user-agent', 'curl/8.5.0']]), '127.0.1.2 - - [27/Nov/2024:10:00:05 +0000] "GET / HTTP/1.1" 200 47 "-" "curl/8.5.0" "-"'],
    ['nginx from docker.io, quotes escaped', { name: 'web', image: 'docker.io/library/nginx' }, req('/a"b', '10.244.1.1:5000', [['referer', 'x']]), '10.244.1.1 - - [27/Nov/2024:10:00:05 +0000] "GET /a\\x22b HTTP/1.1" 200 47 "x" "-" "-"'],
    ['serve-hostname', { name: 'c', image: AGNHOST, args: ['serve-hostname'] }, req('/', '10.244.2.1:33000'), '2024/11/27 10:00:05 HTTP request from 10.244.2.1:33000'],
    ['netexec /clientip', { name: 'c', image: AGNHOST, args: ['netexec'] }, req('/clientip', '10.244.2.1:33000'), '2024/11/27 10:00:05 GET /clientip'],
    ['netexec /echo', { name: 'c', image: AGNHOST, args: ['netexec'] }, req('/echo?msg=hi', '10.244.2.1:33000'), '2024/11/27 10:00:05 GET /echo?msg=hi&code='],
    ['another image prints nothing', { name: 'c', image: 'httpd' }, req('/', '10.244.2.1:33000'), undefined],
  ])('%s', (_n, c, r, line) => expect(workloadRequestLine(c, workloadOf(c), r, T)).toBe(line));

  it('start-up lines', () => {
    const sh = { name: 'c', image: AGNHOST, args: ['serve-hostname', '--port', '9000'] };
    expect(workloadStartLines(sh, workloadOf(sh), T)).toEqual(['2024/11/27 10:00:05 Serving on port 9000.']);
    const ne = { name: 'c', image: AGNHOST, args: ['netexec', '--http-port=80'] };
    expect(workloadStartLines(ne, workloadOf(ne), T)).toEqual(['2024/11/27 10:00:05 Started UDP server on port  8081', '2024/11/27 10:00:05 Started HTTP server on port 80']);
    expect(workloadStartLines({ name: 'n', image: 'nginx' }, workloadOf({ name: 'n', image: 'nginx' }), T).at(-1)).toBe('2024/11/27 10:00:05 [notice] 1#1: start worker process 29');
    expect(workloadDatagramLine(ne, workloadOf(ne), 'udp', 'echo hi\n', '10.244.1.5:4000', T)).toBe('2024/11/27 10:00:05 Echoing hi to UDP client 10.244.1.5:4000');
  });
});
