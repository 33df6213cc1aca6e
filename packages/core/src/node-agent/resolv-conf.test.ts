import { describe, expect, it } from 'vitest';
import { podResolvConf, renderResolvConf, resolutionCandidates } from './resolv-conf.js';

describe('pod resolv.conf', () => {
  it('is what the kubelet writes for ClusterFirst', () => {
    expect(renderResolvConf(podResolvConf('default'))).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });
  it.each<[string, string[]]>([
    ['my-svc', ['my-svc.default.svc.cluster.local.', 'my-svc.svc.cluster.local.', 'my-svc.cluster.local.', 'my-svc.']],
    ['my-svc.other', ['my-svc.other.default.svc.cluster.local.', 'my-svc.other.svc.cluster.local.', 'my-svc.other.cluster.local.', 'my-svc.other.']],
    ['a.b.c.d.e.f', ['a.b.c.d.e.f.', 'a.b.c.d.e.f.default.svc.cluster.local.', 'a.b.c.d.e.f.svc.cluster.local.', 'a.b.c.d.e.f.cluster.local.']],
    ['example.com.', ['example.com.']],
  ])('%s', (name, want) => expect(resolutionCandidates(name, podResolvConf('default'))).toEqual(want));
});
