import { describe, expect, it } from 'vitest';
import type { Container } from '../api/types.js';
import { workloadOf, type Workload } from './workload.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

describe('workloadOf', () => {
  it.each<[string, Container, Workload]>([
    ['serve-hostname defaults: HTTP on 9376', { name: 'c', image: AGNHOST, args: ['serve-hostname'] }, { container: 'c', program: 'serve-hostname', listeners: [{ protocol: 'TCP', port: 9376, serves: 'http' }] }],
    [
      'serve-hostname raw TCP and UDP',
      { name: 'c', image: AGNHOST, command: ['/agnhost', 'serve-hostname'], args: ['--http=false', '--tcp', '--udp', '--port', '9000'] },
      { container: 'c', program: 'serve-hostname', listeners: [{ protocol: 'TCP', port: 9000, serves: 'raw-hostname' }, { protocol: 'UDP', port: 9000, serves: 'udp-hostname' }] },
    ],
    ['serve-hostname http with tcp refused', { name: 'c', image: AGNHOST, args: ['serve-hostname', '--tcp'] }, { container: 'c', program: 'serve-hostname', listeners: [], problem: "Can't serve TCP/UDP mode and HTTP mode at the same time" }],
    [
      'netexec defaults',
      { name: 'c', image: AGNHOST, args: ['netexec'] },
      { container: 'c', program: 'netexec', listeners: [{ protocol: 'TCP', port: 8080, serves: 'http' }, { protocol: 'UDP', port: 8081, serves: 'netexec-udp' }] },
    ],
    ['netexec ports', { name: 'c', image: `${AGNHOST.split(':')[0]}@sha256:abc`, args: ['netexec', '--http-port=80', '--udp-port=-1'] }, { container: 'c', program: 'netexec', listeners: [{ protocol: 'TCP', port: 80, serves: 'http' }] }],
    ['nginx without ports: 80', { name: 'web', image: 'nginx:1.27' }, { container: 'web', program: 'http-responder', listeners: [{ protocol: 'TCP', port: 80, serves: 'http' }] }],
    [
      'declared ports',
      { name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] },
      { container: 'web', program: 'http-responder', listeners: [{ protocol: 'TCP', port: 8080, serves: 'http' }, { protocol: 'UDP', port: 53, serves: 'udp-echo' }] },
    ],
  ])('%s', (_name, c, want) => expect(workloadOf(c)).toEqual(want));
});
