export * from './subjects.js';
export * from './metrics.js';
export * from './connection.js';
export * from './publish.js';
export * from './read.js';
export * from './status.js';
export * from './log-file.js';
export { InvariantError, READ_BATCH_MESSAGES, PULL_EXPIRES_MS, DEFAULT_MAX_CONSECUTIVE_FAILURES, type ReaderEnd } from './stream-reader.js';
