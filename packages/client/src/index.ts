export * from './api-client.js';
export * from './event-recorder.js';
