import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types.js';
import { podHostPortMappings } from './host-ports.js';

describe('podHostPortMappings', () => {
  it('only ports with a hostPort, protocol defaulted to TCP, from every container', () => {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        containers: [
          { name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 443 }] },
          { name: 'dns', image: 'coredns', ports: [{ containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.1.1' }, { containerPort: 9153, hostPort: 0 }] },
        ],
      },
    };
    expect(podHostPortMappings(pod)).toEqual([
      { protocol: 'TCP', hostPort: 8080, containerPort: 80, hostIP: '' },
      { protocol: 'UDP', hostPort: 5353, containerPort: 53, hostIP: '127.0.1.1' },
    ]);
  });
});
