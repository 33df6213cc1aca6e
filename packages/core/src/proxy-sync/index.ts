export * from './node-rules.js';
export * from './proxy-changes.js';
export * from './proxy-inputs.js';
export * from './proxy-node.js';
export * from './rules-digest.js';
export * from './service-health.js';
