export * from './process-lifetime.js';
export * from './metrics-endpoint.js';
export * from './agent-snapshots.js';
