export * from './nats-server.js';
export * from './process.js';
export { liveChildCount } from './child-registry.js';
export * from './kubemu-processes.js';
export { tlsFetch, type FetchLike } from './api-fetch.js';
export * from './controller-manager.js';
export * from './node-process.js';
export * from './proxy-agent-process.js';
export * from './seed-manifests.js';
