import { describe, expect, it } from 'vitest';
import type { Deployment } from '../api/types.js';
import { setDefaultsDeployment } from './defaults.js';

describe('setDefaultsDeployment', () => {
  it('fills SetDefaults_Deployment and the template defaults', () => {
    const d: Deployment = {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
      },
    };
    expect(setDefaultsDeployment(d)).toEqual({
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            schedulerName: 'default-scheduler',
          },
        },
      },
    });
  });

  it('keeps explicit values; Recreate gets no rollingUpdate', () => {
    const d: Deployment = { spec: { replicas: 0, revisionHistoryLimit: 0, progressDeadlineSeconds: 60, strategy: { type: 'Recreate' } } };
    const out = setDefaultsDeployment(d).spec!;
    expect([out.replicas, out.revisionHistoryLimit, out.progressDeadlineSeconds, out.strategy]).toEqual([0, 0, 60, { type: 'Recreate' }]);
  });

  it('fills only the missing half of rollingUpdate', () => {
    const out = setDefaultsDeployment({ spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } }).spec!;
    expect(out.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } });
  });
});
