import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { StatefulSet, StatefulSetSpec } from '../api/types.js';
import { setDefaultsStatefulSet } from './defaults.js';
import { validateStatefulSet, validateStatefulSetUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);
const template = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } };
const sts = (spec: StatefulSetSpec, name = 'db'): StatefulSet => setDefaultsStatefulSet({ metadata: { name, namespace: 'default' }, spec });

describe('setDefaultsStatefulSet', () => {
  it('fills SetDefaults_StatefulSet and the template defaults', () => {
    expect(setDefaultsStatefulSet({ metadata: { name: 'db', namespace: 'default' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template } })).toEqual({
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        replicas: 1,
        revisionHistoryLimit: 10,
        template: {
          metadata: { labels: { app: 'db' } },
          spec: {
            containers: [{ name: 'db', image: 'postgres:16', imagePullPolicy: 'IfNotPresent' }],
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            schedulerName: 'default-scheduler',
          },
        },
      },
    });
  });

  it('an explicit RollingUpdate type without rollingUpdate stays without it', () => {
    expect(sts({ updateStrategy: { type: 'RollingUpdate' } }).spec?.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(sts({ updateStrategy: { type: 'OnDelete' } }).spec?.updateStrategy).toEqual({ type: 'OnDelete' });
  });
});

describe('validateStatefulSet', () => {
  it.each<[string, StatefulSet, string[]]>([
    ['valid', sts({ serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template }), []],
    [
      'names are DNS-1123 labels (no dots)',
      sts({ selector: { matchLabels: { app: 'db' } }, template }, 'db.v1'),
      ['metadata.name: Invalid value: "db.v1": must not contain dots'],
    ],
    [
      'selector mismatch and negative replicas',
      sts({ replicas: -2, selector: { matchLabels: { app: 'web' } }, template }),
      [
        'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"db"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'podManagementPolicy and updateStrategy values',
      sts({ podManagementPolicy: 'Fast', updateStrategy: { type: 'Sometimes' }, selector: { matchLabels: { app: 'db' } }, template }),
      [
        'spec.podManagementPolicy: Invalid value: "Fast": must be \'OrderedReady\' or \'Parallel\'',
        'spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Sometimes", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be \'RollingUpdate\' or \'OnDelete\'',
      ],
    ],
    [
      'negative partition',
      sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }, selector: { matchLabels: { app: 'db' } }, template }),
      ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'rollingUpdate with OnDelete',
      sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 2 } }, selector: { matchLabels: { app: 'db' } }, template }),
      ["spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:2, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'"],
    ],
    ['empty selector', sts({ selector: {}, template }), ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset']],
    ['the pod spec itself is not validated (upstream TODO)', sts({ selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } } } }), []],
  ])('%s', (_name, input, want) => {
    expect(lines(validateStatefulSet(input))).toEqual(want);
  });
});

describe('validateStatefulSetUpdate', () => {
  const stored: StatefulSet = {
    ...sts({ serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template }),
    metadata: { name: 'db', namespace: 'default', uid: 'u', resourceVersion: '9' },
  };
  it('allows replicas, template and updateStrategy', () => {
    expect(lines(validateStatefulSetUpdate({ ...stored, spec: { ...stored.spec, replicas: 3, updateStrategy: { type: 'OnDelete' } } }, stored))).toEqual([]);
  });
  it('forbids the rest', () => {
    expect(lines(validateStatefulSetUpdate({ ...stored, spec: { ...stored.spec, serviceName: 'other' } }, stored))).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});
