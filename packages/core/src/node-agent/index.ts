export * from './pod-ip-allocation.js';
export * from './node-registration.js';
export * from './pod-lifecycle.js';
export * from './resolv-conf.js';
export * from './workload.js';
export * from './host-ports.js';
