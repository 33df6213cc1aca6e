// StatefulSet validation: ValidateStatefulSet / ValidateStatefulSetUpdate
// (pkg/apis/apps/validation/validation.go). Names are DNS-1123 labels since v1.27
// (kubernetes#114172). Upstream validates only the template's labels and annotations, not its
// PodSpec (the TODO in ValidatePodTemplateSpecForStatefulSet), and so does this.

import { forbidden, goQuote, invalid, notSupportedInOrder, required, type FieldError } from '../api/field-errors.js';
import {
  goLabelSelector,
  labelSelectorIsEmpty,
  labelSelectorIsInvalid,
  nameIsDNSLabel,
  semanticDeepEqual,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
  validateNonnegativeField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../api/object-meta-validation.js';
import type { StatefulSet, StatefulSetSpec } from '../api/types.js';
import { goIntOrString, intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent, validateTemplateAgainstSelector } from '../deployment/validation.js';

/** %#v of apps.StatefulSetUpdateStrategy (a set RollingUpdate pointer prints as an address). */
function goUpdateStrategy(us: StatefulSetSpec['updateStrategy']): string {
  const ru = us?.rollingUpdate === undefined ? '(*apps.RollingUpdateStatefulSetStrategy)(nil)' : '(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)';
  return `apps.StatefulSetUpdateStrategy{Type:${goQuote(us?.type ?? '')}, RollingUpdate:${ru}}`;
}

/** %#v of a dereferenced *apps.RollingUpdateStatefulSetStrategy. */
function goRollingUpdate(ru: NonNullable<NonNullable<StatefulSetSpec['updateStrategy']>['rollingUpdate']>): string {
  const mu = ru.maxUnavailable === undefined ? '(*intstr.IntOrString)(nil)' : '(*intstr.IntOrString)(0xc000000000)';
  return `apps.RollingUpdateStatefulSetStrategy{Partition:${ru.partition ?? 0}, MaxUnavailable:${mu}}`;
}

function validateUpdateStrategy(us: StatefulSetSpec['updateStrategy'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (us?.type ?? '') {
    case '':
      errs.push(required(`${path}.updateStrategy`, ''));
      break;
    case 'OnDelete':
      if (us!.rollingUpdate !== undefined) {
        errs.push(invalid(`${path}.updateStrategy.rollingUpdate`, us!.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'", goRollingUpdate(us!.rollingUpdate)));
      }
      break;
    case 'RollingUpdate': {
      const ru = us!.rollingUpdate;
      if (ru === undefined) break;
      const rp = `${path}.updateStrategy.rollingUpdate`;
      errs.push(...validateNonnegativeField(ru.partition ?? 0, `${rp}.partition`));
      if (ru.maxUnavailable !== undefined) {
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${rp}.maxUnavailable`));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(`${rp}.maxUnavailable`, ru.maxUnavailable, 'cannot be 0', goIntOrString(ru.maxUnavailable)));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      }
      break;
    }
    default:
      errs.push(invalid(`${path}.updateStrategy`, us, "must be 'RollingUpdate' or 'OnDelete'", goUpdateStrategy(us)));
  }
  return errs;
}

/** ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(spec: StatefulSetSpec | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const pmp = s.podManagementPolicy ?? '';
  if (pmp === '') errs.push(required(`${path}.podManagementPolicy`, ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(`${path}.podManagementPolicy`, pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(s.updateStrategy, path));
  errs.push(...validateNonnegativeField(s.replicas ?? 0, `${path}.replicas`));
  errs.push(...validateNonnegativeField(s.minReadySeconds ?? 0, `${path}.minReadySeconds`));
  if (s.selector === undefined) errs.push(required(`${path}.selector`, ''));
  else {
    errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
    if (labelSelectorIsEmpty(s.selector)) {
      errs.push(invalid(`${path}.selector`, s.selector, 'empty selector is invalid for statefulset', goLabelSelector(s.selector)));
    }
  }
  const tp = `${path}.template`;
  if (labelSelectorIsInvalid(s.selector)) {
    errs.push(invalid(`${path}.selector`, s.selector, '', goLabelSelector(s.selector!)));
  } else {
    errs.push(...validateTemplateAgainstSelector(s.selector, s.template, tp));
    errs.push(...validateLabels(s.template?.metadata?.labels, `${tp}.labels`));
    errs.push(...validateAnnotations(s.template?.metadata?.annotations, `${tp}.annotations`));
  }
  const rp = s.template?.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupportedInOrder(`${tp}.spec.restartPolicy`, rp, ['Always']));
  return errs;
}

/** ValidateStatefulSet. */
export function validateStatefulSet(s: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSLabel, 'metadata');
  errs.push(...validateStatefulSetSpec(s.spec, 'spec'));
  return errs;
}

/** ValidateStatefulSetUpdate: only replicas, template, updateStrategy and minReadySeconds may change. */
export function validateStatefulSetUpdate(s: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateObjectMetaUpdate(s.metadata, old.metadata, 'metadata');
  errs.push(...validateStatefulSetSpec(s.spec, 'spec'));
  const strip = (spec: StatefulSetSpec | undefined): StatefulSetSpec => {
    const { replicas: _r, template: _t, updateStrategy: _u, minReadySeconds: _m, ...rest } = spec ?? {};
    return rest;
  };
  if (!semanticDeepEqual(strip(s.spec), strip(old.spec))) {
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}
