import { describe, it, expect } from 'vitest';
import type { Deployment, Pod, ReplicaSet } from '../api/types.js';
import { describe as kubectlDescribe } from './describe.js';
import { renderTable } from './render.js';
import { tableFor } from './registry.js';

const now = Date.parse('2026-11-27T21:29:00Z');
const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx-deployment', uid: 'd-uid', controller: true, blockOwnerDeletion: true };

function rs(name: string, hash: string, image: string, replicas: number, current: number, ready: number, created: string, revision: string): ReplicaSet {
  return {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      creationTimestamp: created,
      labels: { app: 'nginx', 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4', 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [owner],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx', 'pod-template-hash': hash } },
      template: { metadata: { labels: { app: 'nginx', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    },
    status: { replicas: current, ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}) },
  };
}

const oldRS = rs('nginx-deployment-1564180365', '1564180365', 'nginx:1.14.2', 0, 0, 0, '2026-11-27T21:19:00Z', '1');
const newRS = rs('nginx-deployment-2035384211', '2035384211', 'nginx:1.16.1', 3, 3, 3, '2026-11-27T21:25:30Z', '2');

describe('kubectl get replicasets', () => {
  it('NAME DESIRED CURRENT READY AGE (printReplicaSet)', () => {
    expect(renderTable(tableFor('ReplicaSet', [oldRS, newRS], { now }))).toBe(
      lines('NAME                          DESIRED   CURRENT   READY   AGE', 'nginx-deployment-1564180365   0         0         0       10m', 'nginx-deployment-2035384211   3         3         3       3m30s'),
    );
  });

  it('-o wide adds CONTAINERS IMAGES SELECTOR', () => {
    expect(renderTable(tableFor('ReplicaSet', [newRS], { now }), { wide: true })).toBe(
      lines(
        'NAME                          DESIRED   CURRENT   READY   AGE     CONTAINERS   IMAGES         SELECTOR',
        'nginx-deployment-2035384211   3         3         3       3m30s   nginx        nginx:1.16.1   app=nginx,pod-template-hash=2035384211',
      ),
    );
  });

  it('the Table columns as kube-apiserver sends them', () => {
    expect(tableFor('ReplicaSet', [newRS], { now }).columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Desired', 'integer', '', 0],
      ['Current', 'integer', '', 0],
      ['Ready', 'integer', '', 0],
      ['Age', 'string', '', 0],
      ['Containers', 'string', '', 1],
      ['Images', 'string', '', 1],
      ['Selector', 'string', '', 1],
    ]);
  });
});

describe('kubectl describe replicaset and deployment', () => {
  it('ReplicaSet: Controlled By, Replicas current / desired, the phases of the pods it controls', () => {
    const pod = (name: string, phase: string, uid = newRS.metadata!.uid): Pod => ({
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'nginx' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'x', uid, controller: true }] },
      status: { phase },
    });
    const pods = [pod('a', 'Running'), pod('b', 'Running'), pod('c', 'Pending'), pod('d', 'Running', 'someone-else')];
    expect(kubectlDescribe('ReplicaSet', newRS, { pods }, now)).toBe(
      lines(
        'Name:           nginx-deployment-2035384211',
        'Namespace:      default',
        'Selector:       app=nginx,pod-template-hash=2035384211',
        'Labels:         app=nginx',
        '                pod-template-hash=2035384211',
        'Annotations:    deployment.kubernetes.io/desired-replicas: 3',
        '                deployment.kubernetes.io/max-replicas: 4',
        '                deployment.kubernetes.io/revision: 2',
        'Controlled By:  Deployment/nginx-deployment',
        'Replicas:       3 current / 3 desired',
        'Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 0 Failed',
        'Pod Template:',
        '  Labels:  app=nginx',
        '           pod-template-hash=2035384211',
        '  Containers:',
        '   nginx:',
        '    Image:         nginx:1.16.1',
        '    Port:          80/TCP',
        '    Host Port:     0/TCP',
        '    Environment:   <none>',
        '    Mounts:        <none>',
        '  Volumes:         <none>',
        '  Node-Selectors:  <none>',
        '  Tolerations:     <none>',
        'Events:            <none>',
      ),
    );
  });

  it('Deployment: OldReplicaSets and NewReplicaSet after the Conditions (only the ReplicaSets it controls)', () => {
    const d: Deployment = {
      kind: 'Deployment',
      metadata: { name: 'nginx-deployment', namespace: 'default', uid: 'd-uid', annotations: { 'deployment.kubernetes.io/revision': '2' }, creationTimestamp: '2026-11-27T21:19:00Z' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'nginx' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.1', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
      },
      status: { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] },
    };
    const stranger = { ...rs('other-1', '1', 'nginx:1.16.1', 1, 1, 1, '2026-11-27T21:00:00Z', '1'), metadata: { ...oldRS.metadata, name: 'other-1', ownerReferences: [] } };
    const text = kubectlDescribe('Deployment', d, { replicaSets: [newRS, oldRS, stranger] }, now);
    expect(text.split('\n').slice(-6).join('\n')).toBe(
      // One tabwriter block: the condition columns line up with OldReplicaSets:, as in the Kubernetes docs' example.
      lines('  ----           ------  ------', '  Available      True    MinimumReplicasAvailable', 'OldReplicaSets:  nginx-deployment-1564180365 (0/0 replicas created)', 'NewReplicaSet:   nginx-deployment-2035384211 (3/3 replicas created)', 'Events:          <none>'),
    );
    // No ReplicaSets at all: the two lines are left out, as kubectl does.
    expect(kubectlDescribe('Deployment', d, {}, now)).not.toContain('ReplicaSet');
  });
});
