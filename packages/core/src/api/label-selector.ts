// Label and field selectors as k8s.io/apimachinery/pkg/labels (Parse) and pkg/fields understand them.
import type { LabelSelector } from './types.js';

export type Requirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export class SelectorParseError extends Error {
  override name = 'SelectorParseError';
}

/** labels.Parse: "a=b,c!=d,e in (x,y),f notin (z),g,!h". The empty string selects everything. */
export function parseLabelSelector(text: string): Requirement[] {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = text;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const word = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,=!()]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (true) {
    skipWs();
    if (i >= s.length) break;
    if (s[i] === '!') {
      i++;
      const key = word();
      if (key === '') throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: identifier`);
      reqs.push({ key, op: '!' });
    } else {
      const key = word();
      if (key === '') throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: identifier`);
      skipWs();
      if (s.startsWith('!=', i)) {
        i += 2;
        reqs.push({ key, op: '!=', value: word() });
      } else if (s.startsWith('==', i)) {
        i += 2;
        reqs.push({ key, op: '=', value: word() });
      } else if (s[i] === '=') {
        i += 1;
        reqs.push({ key, op: '=', value: word() });
      } else if (i >= s.length || s[i] === ',') {
        reqs.push({ key, op: 'exists' });
      } else {
        const op = word();
        if (op !== 'in' && op !== 'notin') throw new SelectorParseError(`unable to parse requirement: found '${op}', expected: in, notin, =, ==, !=`);
        skipWs();
        if (s[i] !== '(') throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: '('`);
        i++;
        const values: string[] = [];
        while (true) {
          const v = word();
          if (v !== '') values.push(v);
          skipWs();
          if (s[i] === ',') {
            i++;
            continue;
          }
          if (s[i] === ')') {
            i++;
            break;
          }
          throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: ',', ')'`);
        }
        reqs.push({ key, op, values });
      }
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ',') throw new SelectorParseError(`found '${s[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
}

export function matchesRequirements(labels: Readonly<Record<string, string>> | undefined, reqs: readonly Requirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}

/** A Service's selector map: every key must match; an empty or absent selector selects nothing. */
export function selectorMatches(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** metav1.LabelSelectorAsSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). Empty selects everything. */
export function labelSelectorRequirements(sel: LabelSelector | undefined): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: '=', value });
  for (const e of sel?.matchExpressions ?? []) {
    const key = e.key ?? '';
    switch (e.operator) {
      case 'In':
        reqs.push({ key, op: 'in', values: e.values ?? [] });
        break;
      case 'NotIn':
        reqs.push({ key, op: 'notin', values: e.values ?? [] });
        break;
      case 'Exists':
        reqs.push({ key, op: 'exists' });
        break;
      case 'DoesNotExist':
        reqs.push({ key, op: '!' });
        break;
      default:
        throw new SelectorParseError(`"${e.operator ?? ''}" is not a valid label selector operator`);
    }
  }
  return reqs;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** fields.ParseSelector: "metadata.name=x,spec.nodeName!=y". */
export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw new SelectorParseError(`invalid selector: '${text}'; can't understand '${part}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

/** The fields each kind can be selected by (the registries' GetAttrs / field label conversion funcs). */
const SELECTABLE_FIELDS: Record<string, (o: any) => Record<string, string>> = {
  Pod: (o) => ({
    'spec.nodeName': o.spec?.nodeName ?? '',
    'spec.restartPolicy': o.spec?.restartPolicy ?? '',
    'spec.schedulerName': o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(o.spec?.hostNetwork ?? false),
    'status.phase': o.status?.phase ?? '',
    'status.podIP': o.status?.podIP ?? '',
  }),
  Node: (o) => ({ 'spec.unschedulable': String(o.spec?.unschedulable ?? false) }),
  Namespace: (o) => ({ 'status.phase': o.status?.phase ?? '' }),
  Service: () => ({}),
  // pkg/registry/core/event/strategy.go ToSelectableFields: source falls back to reportingComponent.
  Event: (o) => ({
    'involvedObject.kind': o.involvedObject?.kind ?? '',
    'involvedObject.namespace': o.involvedObject?.namespace ?? '',
    'involvedObject.name': o.involvedObject?.name ?? '',
    'involvedObject.uid': o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': o.involvedObject?.fieldPath ?? '',
    reason: o.reason ?? '',
    reportingComponent: o.reportingComponent ?? '',
    source: o.source?.component || o.reportingComponent || '',
    type: o.type ?? '',
  }),
  // pkg/registry/apps/replicaset/strategy.go ReplicaSetToSelectableFields.
  ReplicaSet: (o) => ({ 'status.replicas': String(o.status?.replicas ?? 0) }),
};

export function fieldsOf(kind: string, object: any): Record<string, string> {
  return {
    'metadata.name': object.metadata?.name ?? '',
    'metadata.namespace': object.metadata?.namespace ?? '',
    ...(SELECTABLE_FIELDS[kind]?.(object) ?? {}),
  };
}

/** Returns the first field a selector names that the kind cannot be selected by, if any. */
export function unsupportedField(kind: string, reqs: readonly FieldRequirement[]): string | undefined {
  const known = fieldsOf(kind, {});
  return reqs.find((r) => !(r.field in known))?.field;
}

export function matchesFields(kind: string, object: unknown, reqs: readonly FieldRequirement[]): boolean {
  if (reqs.length === 0) return true;
  const f = fieldsOf(kind, object);
  return reqs.every((r) => (r.op === '=' ? f[r.field] === r.value : f[r.field] !== r.value));
}
