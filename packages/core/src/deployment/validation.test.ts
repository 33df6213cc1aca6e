import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../api/field-errors.js';
import type { Deployment, DeploymentSpec } from '../api/types.js';
import { setDefaultsDeployment } from './defaults.js';
import { validateDeployment, validateDeploymentUpdate } from './validation.js';

const lines = (errs: FieldError[]): string[] => errs.map(errorString);
const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
const deploy = (spec: DeploymentSpec, name = 'web'): Deployment =>
  setDefaultsDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec });

describe('validateDeployment', () => {
  it.each<[string, Deployment, string[]]>([
    ['valid', deploy({ selector: { matchLabels: { app: 'x' } }, template }), []],
    [
      'selector does not match template labels',
      deploy({ selector: { matchLabels: { app: 'y' } }, template }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    ],
    [
      'no selector: required, and (a nil selector matches nothing) no match',
      deploy({ template }),
      ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    ],
    [
      'empty selector',
      deploy({ selector: {}, template }),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ],
    [
      'invalid selector skips the template checks',
      deploy({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template }),
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
      ],
    ],
    ['negative replicas', deploy({ replicas: -1, selector: { matchLabels: { app: 'x' } }, template }), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [
      'containers required, and container name and image',
      deploy({ selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{}] } } }),
      ['spec.template.spec.containers[0].name: Required value', 'spec.template.spec.containers[0].image: Required value'],
    ],
    [
      'no containers',
      deploy({ selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } } } }),
      ['spec.template.spec.containers: Required value'],
    ],
    [
      'restartPolicy must be Always',
      deploy({ selector: { matchLabels: { app: 'x' } }, template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } }),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'rolling update values',
      deploy({ selector: { matchLabels: { app: 'x' } }, template, strategy: { rollingUpdate: { maxUnavailable: '150%', maxSurge: 'lots' } } }),
      [
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: lots: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%',
      ],
    ],
    [
      'maxUnavailable and maxSurge both 0',
      deploy({ selector: { matchLabels: { app: 'x' } }, template, strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    [
      'unknown strategy type',
      deploy({ selector: { matchLabels: { app: 'x' } }, template, strategy: { type: 'BlueGreen' } }),
      ['spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"'],
    ],
    [
      'Recreate with rollingUpdate',
      deploy({ selector: { matchLabels: { app: 'x' } }, template, strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'progressDeadlineSeconds must exceed minReadySeconds',
      deploy({ selector: { matchLabels: { app: 'x' } }, template, minReadySeconds: 30, progressDeadlineSeconds: 30 }),
      ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
    ],
    [
      'bad name',
      deploy({ selector: { matchLabels: { app: 'x' } }, template }, 'Web'),
      [
        "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
  ])('%s', (_name, input, want) => {
    expect(lines(validateDeployment(input))).toEqual(want);
  });
});

describe('validateDeploymentUpdate', () => {
  const stored: Deployment = {
    ...deploy({ selector: { matchLabels: { app: 'x' } }, template }),
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '4' },
  };
  it('allows scaling', () => {
    expect(lines(validateDeploymentUpdate({ ...stored, spec: { ...stored.spec, replicas: 5 } }, stored))).toEqual([]);
  });
  it('the selector is immutable', () => {
    const next: Deployment = {
      ...stored,
      spec: { ...stored.spec, selector: { matchLabels: { app: 'x', tier: 'web' } }, template: { ...stored.spec!.template, metadata: { labels: { app: 'x', tier: 'web' } } } },
    };
    expect(lines(validateDeploymentUpdate(next, stored))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});
