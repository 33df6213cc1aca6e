// Deployment validation: ValidateDeployment / ValidateDeploymentUpdate and their helpers
// (pkg/apis/apps/validation/validation.go), plus the immutable selector of the apps/v1 strategy
// (pkg/registry/apps/deployment/strategy.go ValidateUpdate). v1.32.

import { forbidden, goQuote, goStringMap, invalid, notSupportedInOrder, required, type FieldError } from '../api/field-errors.js';
import { isValidPercent } from '../api/name-validation.js';
import {
  goLabelSelector,
  labelSelectorIsEmpty,
  labelSelectorIsInvalid,
  labelSelectorMatches,
  nameIsDNSSubdomain,
  semanticDeepEqual,
  validateLabelSelector,
  validateNonnegativeField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../api/object-meta-validation.js';
import type { Deployment, DeploymentSpec, IntOrString, LabelSelector, PodTemplateSpec } from '../api/types.js';
import { validatePodTemplateSpec } from '../pod/validation.js';

/**
 * An intstr.IntOrString as field errors print it: *IntOrString implements fmt.Stringer, so the
 * value appears bare (`25%`, `3`), without quotes.
 */
export function goIntOrString(v: IntOrString | undefined): string {
  return String(v ?? 0);
}

/** ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((msg) => invalid(path, v, msg, goIntOrString(v)));
  return validateNonnegativeField(v ?? 0, path);
}

function percentValue(v: IntOrString | undefined): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length !== 0) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

/** getIntOrPercentValue: the percentage or the integer; IntValue() of a non-numeric string is 0. */
export function intOrPercentValue(v: IntOrString | undefined): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'string') {
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) || String(n) !== v ? 0 : n;
  }
  return v ?? 0;
}

export function isNotMoreThan100Percent(v: IntOrString | undefined, path: string): FieldError[] {
  const p = percentValue(v);
  if (p === undefined || p <= 100) return [];
  return [invalid(path, v, 'must not be greater than 100%', goIntOrString(v))];
}

/** %#v of apps.DeploymentStrategy (a nil RollingUpdate pointer prints as nil; a set one as an address). */
function goDeploymentStrategy(s: DeploymentSpec['strategy']): string {
  const ru = s?.rollingUpdate === undefined ? '(*apps.RollingUpdateDeployment)(nil)' : '(*apps.RollingUpdateDeployment)(0xc000000000)';
  return `apps.DeploymentStrategy{Type:${goQuote(s?.type ?? '')}, RollingUpdate:${ru}}`;
}

function validateDeploymentStrategy(strategy: DeploymentSpec['strategy'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (strategy?.type) {
    case 'Recreate':
      if (strategy.rollingUpdate !== undefined) errs.push(forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (ru === undefined) {
        errs.push(required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
        break;
      }
      const rp = `${path}.rollingUpdate`;
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${rp}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(`${rp}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0', goIntOrString(ru.maxUnavailable)));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      break;
    }
    default:
      errs.push({ ...notSupportedInOrder(path, strategy ?? {}, ['Recreate', 'RollingUpdate']), badValueGo: goDeploymentStrategy(strategy) });
  }
  return errs;
}

/**
 * The template checks of ValidatePodTemplateSpecForReplicaSet, shared with StatefulSet's: a nil
 * selector matches nothing, so it is reported twice (selector required, labels not matched).
 */
export function validateTemplateAgainstSelector(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  path: string,
): FieldError[] {
  if (labelSelectorIsEmpty(selector) || labelSelectorMatches(selector, template?.metadata?.labels)) return [];
  const labels = template?.metadata?.labels;
  return [invalid(`${path}.metadata.labels`, labels ?? null, '`selector` does not match template `labels`', goStringMap(labels))];
}

/**
 * The selector and pod template checks ValidateDeploymentSpec and ValidateReplicaSetSpec share
 * (upstream's copies say "for deployment" in both), then ValidatePodTemplateSpecForReplicaSet.
 */
export function validateSelectorAndPodTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (selector === undefined) errs.push(required(`${path}.selector`, ''));
  else {
    errs.push(...validateLabelSelector(selector, `${path}.selector`));
    if (labelSelectorIsEmpty(selector)) {
      errs.push(invalid(`${path}.selector`, selector, 'empty selector is invalid for deployment', goLabelSelector(selector)));
    }
  }
  if (labelSelectorIsInvalid(selector)) {
    errs.push(invalid(`${path}.selector`, selector, 'invalid label selector', goLabelSelector(selector!)));
  } else {
    const tp = `${path}.template`;
    errs.push(...validateTemplateAgainstSelector(selector, template, tp));
    errs.push(...validatePodTemplateSpec(template, tp));
    const rp = template?.spec?.restartPolicy ?? '';
    if (rp !== 'Always') errs.push(notSupportedInOrder(`${tp}.spec.restartPolicy`, rp, ['Always']));
  }
  return errs;
}

/** ValidateDeploymentSpec. */
export function validateDeploymentSpec(spec: DeploymentSpec | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = validateNonnegativeField(s.replicas ?? 0, `${path}.replicas`);
  errs.push(...validateSelectorAndPodTemplate(s.selector, s.template, path));
  errs.push(...validateDeploymentStrategy(s.strategy, `${path}.strategy`));
  errs.push(...validateNonnegativeField(s.minReadySeconds ?? 0, `${path}.minReadySeconds`));
  if (s.revisionHistoryLimit !== undefined) errs.push(...validateNonnegativeField(s.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  if (s.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegativeField(s.progressDeadlineSeconds, `${path}.progressDeadlineSeconds`));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(invalid(`${path}.progressDeadlineSeconds`, s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** ValidateDeployment. */
export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain, 'metadata');
  errs.push(...validateDeploymentSpec(d.spec, 'spec'));
  return errs;
}

/** ValidateDeploymentUpdate, then the strategy's immutable-selector check. */
export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, 'metadata');
  errs.push(...validateDeploymentSpec(d.spec, 'spec'));
  errs.push(...validateSelectorUnchanged(d.spec?.selector, old.spec?.selector));
  return errs;
}

/** The apps/v1 strategies' ValidateUpdate: spec.selector is immutable (Deployments and ReplicaSets). */
export function validateSelectorUnchanged(sel: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  if (semanticDeepEqual(sel, old)) return [];
  return [invalid('spec.selector', sel ?? null, 'field is immutable', sel === undefined ? '"null"' : goLabelSelector(sel))];
}
