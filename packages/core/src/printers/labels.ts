// Label and selector strings as apimachinery prints them.
import type { LabelSelector, LabelSelectorRequirement } from '../api/types.js';

// Go's sort.Strings compares bytes; for the ASCII that label keys and values are made of, this
// is the same order as comparing UTF-16 code units.
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** labels.Set.String: `k=v` pairs sorted as whole strings, joined by `,`. */
export function labelsString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort(byteOrder)
    .join(',');
}

/** labels.FormatLabels: labelsString, or `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const s = labelsString(labels);
  return s === '' ? '<none>' : s;
}

function requirementString(key: string, operator: string, values: string[]): string {
  // apimachinery pkg/labels/selector.go Requirement.String; values are printed sorted.
  const sorted = [...values].sort(byteOrder);
  switch (operator) {
    case 'In':
      return `${key} in (${sorted.join(',')})`;
    case 'NotIn':
      return `${key} notin (${sorted.join(',')})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      return `${key}=${sorted.join(',')}`;
  }
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): matchLabels as `k=v`, matchExpressions as
 * `k in (a,b)`, `k notin (a)`, `k`, `!k`; requirements sorted by key, joined by `,`.
 * A nil or empty selector prints as the empty string.
 */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key: k, text: requirementString(k, 'Equals', [v]) });
  }
  for (const e of selector.matchExpressions ?? ([] as LabelSelectorRequirement[])) {
    const key = e.key ?? '';
    reqs.push({ key, text: requirementString(key, e.operator ?? '', e.values ?? []) });
  }
  // labels.internalSelector.Add sorts by key (sort.Sort, ByKey); stable here for determinism.
  reqs.sort((a, b) => byteOrder(a.key, b.key));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: labelSelectorString, `<none>` when empty. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = labelSelectorString(selector);
  return s === '' ? '<none>' : s;
}
