import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types.js';
import { imageTag, setDefaultsPod } from './defaults.js';

describe('imageTag (parsers.ParseImageName)', () => {
  it.each([
    ['nginx', 'latest'],
    ['nginx:latest', 'latest'],
    ['nginx:1.27', '1.27'],
    ['registry.local:5000/team/nginx', 'latest'],
    ['registry.local:5000/team/nginx:v2', 'v2'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', ''],
    ['Nginx', ''],
    ['', ''],
  ])('%j → %j', (image, tag) => expect(imageTag(image)).toBe(tag));
});

describe('setDefaultsPod', () => {
  it('fills the PodSpec, container and probe defaults', () => {
    const pod: Pod = {
      metadata: { name: 'web-0', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
            readinessProbe: { httpGet: { port: 80 } },
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
          },
          { name: 'side', image: 'busybox:1.36', imagePullPolicy: 'Never' },
        ],
      },
    };
    expect(setDefaultsPod(pod)).toEqual({
      metadata: { name: 'web-0', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            imagePullPolicy: 'Always',
            ports: [
              { containerPort: 80, protocol: 'TCP' },
              { containerPort: 53, protocol: 'UDP' },
            ],
            readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          },
          { name: 'side', image: 'busybox:1.36', imagePullPolicy: 'Never' },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        schedulerName: 'default-scheduler',
      },
    });
  });

  it('keeps set values and, with hostNetwork, defaults hostPort to containerPort', () => {
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        hostNetwork: true,
        restartPolicy: 'Never',
        dnsPolicy: 'Default',
        terminationGracePeriodSeconds: 0,
        schedulerName: 'custom',
        containers: [{ name: 'c', image: 'app:1', ports: [{ containerPort: 8080 }] }],
      },
    };
    expect(setDefaultsPod(pod).spec).toEqual({
      hostNetwork: true,
      restartPolicy: 'Never',
      dnsPolicy: 'Default',
      terminationGracePeriodSeconds: 0,
      schedulerName: 'custom',
      containers: [{ name: 'c', image: 'app:1', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }] }],
    });
    expect(pod.spec?.containers?.[0]?.ports?.[0]).toEqual({ containerPort: 8080 });
  });
});
