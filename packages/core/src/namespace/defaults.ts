// Namespace defaulting: SetDefaults_Namespace and SetDefaults_NamespaceStatus
// (pkg/apis/core/v1/defaults.go), plus the spec.finalizers the namespace strategy's
// PrepareForCreate sets (pkg/registry/core/namespace/strategy.go).

import type { Namespace } from '../api/types.js';

/** v1.LabelMetadataName: every named namespace carries its own name as a label. */
export const LABEL_METADATA_NAME = 'kubernetes.io/metadata.name';
/** core.FinalizerKubernetes. */
export const FINALIZER_KUBERNETES = 'kubernetes';

export function setDefaultsNamespace(ns: Namespace): Namespace {
  const out: Namespace = structuredClone(ns);
  const name = out.metadata?.name ?? '';
  // A nameless namespace (generateName only) cannot be labelled yet.
  if (name.length > 0) {
    out.metadata = { ...out.metadata, labels: { ...(out.metadata?.labels ?? {}), [LABEL_METADATA_NAME]: name } };
  }
  if (out.spec?.finalizers === undefined) out.spec = { ...out.spec, finalizers: [FINALIZER_KUBERNETES] };
  if (!out.status?.phase) out.status = { ...out.status, phase: 'Active' };
  return out;
}
