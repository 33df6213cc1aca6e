export type { ExecRequest } from './kubelet-server.js';
export type { ExecResult } from './exec/context.js';
export { PodNetwork } from './pod-network/pod-network.js';
export { ACCEPT_ALL, type ConnectionHooks, type Verdict, type Route } from './pod-network/hooks.js';
export type { Tuple, Protocol } from './pod-network/tuple.js';
export { NodeNetfilter, nodePortsInRules, type EnsureRequest, type TraceRequest } from './netfilter/node-netfilter.js';
