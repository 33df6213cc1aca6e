// core/v1 Event validation as the legacy API applies it (pkg/apis/core/validation/events.go
// ValidateEventCreate/ValidateEventUpdate with requestVersion v1: legacyValidateEvent only; the
// strict events.k8s.io rules are not applied to core/v1 writes). rest.BeforeCreate then validates
// ObjectMeta with the path-segment name rule, only when the strategy found nothing.
import { invalid, required, type FieldError } from '../api/field-errors.js';
import { isDNS1123Subdomain, isQualifiedName } from '../api/name-validation.js';
import { nameIsPathSegment, validateObjectMeta } from '../api/object-meta-validation.js';
import type { Event } from '../api/types.js';

export const REPORTING_INSTANCE_LENGTH_LIMIT = 128;
export const ACTION_LENGTH_LIMIT = 128;
export const REASON_LENGTH_LIMIT = 128;
export const NOTE_LENGTH_LIMIT = 1024;

const utf8 = new TextEncoder();
const len = (s: string | undefined): number => utf8.encode(s ?? '').length;

/** events.go legacyValidateEvent. */
export function legacyValidateEvent(event: Event): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = event.metadata?.namespace ?? '';
  const involvedNamespace = event.involvedObject?.namespace ?? '';
  if (!event.eventTime) {
    // An old-style event: its namespace and the involved object's agree (or "default" for a cluster-scoped object).
    if (involvedNamespace === '') {
      if (namespace !== '' && namespace !== 'default') errs.push(invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace'));
    } else if (namespace !== involvedNamespace) {
      errs.push(invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace'));
    }
  } else {
    if (involvedNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace'));
    }
    const controller = event.reportingComponent ?? '';
    if (controller === '') errs.push(required('reportingController'));
    for (const msg of isQualifiedName(controller)) errs.push(invalid('reportingController', controller, msg));
    if (len(event.reportingInstance) === 0) errs.push(required('reportingInstance'));
    if (len(event.reportingInstance) > REPORTING_INSTANCE_LENGTH_LIMIT) {
      errs.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LENGTH_LIMIT} characters`));
    }
    if (len(event.action) === 0) errs.push(required('action'));
    if (len(event.action) > ACTION_LENGTH_LIMIT) errs.push(invalid('action', '', `can have at most ${ACTION_LENGTH_LIMIT} characters`));
    if (len(event.reason) === 0) errs.push(required('reason'));
    if (len(event.reason) > REASON_LENGTH_LIMIT) errs.push(invalid('reason', '', `can have at most ${REASON_LENGTH_LIMIT} characters`));
    if (len(event.message) > NOTE_LENGTH_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LENGTH_LIMIT} characters`));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(invalid('namespace', namespace, msg));
  return errs;
}

export function validateEvent(event: Event): FieldError[] {
  const errs = legacyValidateEvent(event);
  if (errs.length > 0) return errs;
  return validateObjectMeta(event.metadata, true, nameIsPathSegment, 'metadata');
}

/** ValidateEventUpdate for v1: the new event passes legacy validation (ObjectMeta is checked by the caller). */
export function validateEventUpdate(event: Event, _old: Event): FieldError[] {
  return legacyValidateEvent(event);
}

/** The event strategy has no defaulting (core/v1 Event has no defaulters). */
export function setDefaultsEvent(event: Event): Event {
  return event;
}
