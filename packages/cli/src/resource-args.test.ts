import { describe, expect, it } from 'vitest';
import { parseResourceArgs } from './resource-args.js';

const show = (args: string[]): unknown => {
  const p = parseResourceArgs(args);
  return { requests: p.requests.map((q) => (q.name === undefined ? q.resource.kind : `${q.resource.kind}/${q.name}`)), single: p.singleItemImplied };
};

describe('parseResourceArgs', () => {
  it('reads TYPE[,TYPE] [NAME...] and TYPE/NAME', () => {
    expect(show(['svc'])).toEqual({ requests: ['Service'], single: false });
    expect(show(['services', 'a'])).toEqual({ requests: ['Service/a'], single: true });
    expect(show(['svc,deploy', 'a'])).toEqual({ requests: ['Service/a', 'Deployment/a'], single: false });
    expect(show(['svc', 'a', 'b'])).toEqual({ requests: ['Service/a', 'Service/b'], single: false });
    expect(show(['svc/a', 'endpointslices.discovery.k8s.io/b'])).toEqual({ requests: ['Service/a', 'EndpointSlice/b'], single: false });
    expect(show(['Service/a'])).toEqual({ requests: ['Service/a'], single: true });
    expect(show(['all'])).toEqual({ requests: ['Pod', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet'], single: false });
  });

  it("says when the server doesn't have a type", () => {
    expect(() => parseResourceArgs(['configmaps'])).toThrow('the server doesn\'t have a resource type "configmaps"');
    expect(() => parseResourceArgs(['svc', 'x/y'])).toThrow(/there is no need to specify a resource type as a separate argument/);
  });
});
