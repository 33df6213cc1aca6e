import { describe, expect, it } from 'vitest';
import { negotiateExecProtocol } from './pod-exec.js';

describe('negotiateExecProtocol', () => {
  it("the client's first served subprotocol", () => {
    expect([
      negotiateExecProtocol('v5.channel.k8s.io'),
      negotiateExecProtocol('v4.channel.k8s.io, v5.channel.k8s.io'),
      negotiateExecProtocol('base64.channel.k8s.io, v4.channel.k8s.io'),
      negotiateExecProtocol('channel.k8s.io'),
      negotiateExecProtocol(undefined),
    ]).toEqual(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.channel.k8s.io', undefined, undefined]);
  });
});
