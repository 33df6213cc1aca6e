// kubectl-style printers: `kubectl get` tables (metav1.Table) and `kubectl describe` text.
export * from './duration.js';
export * from './tabwriter.js';
export * from './table.js';
export * from './labels.js';
export * from './quantity.js';
export * from './render.js';
export * from './service.js';
export * from './endpoints.js';
export * from './endpointslice.js';
export * from './pod.js';
export * from './node.js';
export * from './namespace.js';
export * from './deployment.js';
export * from './replicaset.js';
export * from './statefulset.js';
export * from './lease.js';
export * from './event.js';
export * from './containers.js';
export * from './registry.js';
export * from './describe.js';
export {
  describeEvents,
  formatRFC1123Z,
  printAnnotationsMultiline,
  printLabelsMultiline,
  tabbedString,
  PrefixWriter,
  type DescribeContext,
} from './describe-writer.js';
export { describeDeployment, describePod, describeProbe, describeReplicaSet, describeStatefulSet } from './describe-workloads.js';
export { describeNamespace, describeNode } from './describe-node.js';
