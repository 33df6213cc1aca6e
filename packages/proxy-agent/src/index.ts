export { parseConfig, readProxyConfig, type ProxyAgentConfig } from './config.js';
export { proxyLifecycle, retryDelayMs, RETRY_BACKOFF_MS, type ProxyLifecycleEvent } from './lifecycle.js';
export { NodeNetfilter, NodeRefusedError, NodeUnreachableError } from './node-netfilter.js';
export { ProxyHealth, goTimeString } from './proxy-health.js';
