export { kubemu } from '../generated/kubemu.js';
export * from './limits.js';
export * from './object-codec.js';
export * from './observation-codec.js';
export * from './log-record-codec.js';
export * from './kubernetes-protobuf.js';
