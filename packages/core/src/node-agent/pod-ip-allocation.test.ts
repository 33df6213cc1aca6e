import { describe, expect, it } from 'vitest';
import { allocatePodIP, emptyPodIPAllocation, podCIDRGateway, rebuildPodIPAllocation, releasePodIP, type PodIPAllocation } from './pod-ip-allocation.js';

function allocateAll(a: PodIPAllocation, keys: string[]): { ips: string[]; allocation: PodIPAllocation } {
  const ips: string[] = [];
  for (const k of keys) {
    const r = allocatePodIP(a, k);
    if (!r.ok) throw new Error(r.message);
    ips.push(r.ip);
    a = r.allocation;
  }
  return { ips, allocation: a };
}

describe('pod IP allocation', () => {
  it('gateway is .1; pods from .2 in order', () => {
    expect(podCIDRGateway('10.244.2.0/24')).toBe('10.244.2.1');
    expect(allocateAll(emptyPodIPAllocation('10.244.2.0/24'), ['default/a', 'default/b', 'default/c']).ips).toEqual(['10.244.2.2', '10.244.2.3', '10.244.2.4']);
  });

  it('a pod keeps its IP; a released IP is not reused before the range wraps', () => {
    let { allocation } = allocateAll(emptyPodIPAllocation('10.244.1.0/24'), ['ns/a', 'ns/b']);
    const again = allocatePodIP(allocation, 'ns/a');
    expect(again.ok && again.ip).toBe('10.244.1.2');
    allocation = releasePodIP(allocation, 'ns/a');
    expect(allocateAll(allocation, ['ns/c']).ips).toEqual(['10.244.1.4']);
  });

  it('wraps past the broadcast address back to .2', () => {
    const { ips } = allocateAll(emptyPodIPAllocation('10.244.9.0/29', 10), ['a', 'b', 'c', 'd', 'e']);
    expect(ips).toEqual(['10.244.9.2', '10.244.9.3', '10.244.9.4', '10.244.9.5', '10.244.9.6']);
    const r = allocateAll(releasePodIP(allocateAll(emptyPodIPAllocation('10.244.9.0/29', 10), ['a', 'b', 'c', 'd', 'e']).allocation, 'b'), ['f']);
    expect(r.ips).toEqual(['10.244.9.3']);
    expect(allocatePodIP(r.allocation, 'g')).toEqual({ ok: false, reason: 'RangeFull', message: 'no IP addresses available in range set: 10.244.9.0/29' });
  });

  it('refuses past maxPods with the kubelet admission message', () => {
    const { allocation } = allocateAll(emptyPodIPAllocation('10.244.1.0/24', 2), ['a', 'b']);
    expect(allocatePodIP(allocation, 'c')).toEqual({
      ok: false,
      reason: 'OutOfpods',
      message: "Pod Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2",
    });
  });

  it('rebuilds from the log: pods keep their IPs, the next one follows the latest', () => {
    const { allocation, conflicts } = rebuildPodIPAllocation('10.244.3.0/24', [
      { podKey: 'ns/a', ip: '10.244.3.7', revision: 10 },
      { podKey: 'ns/b', ip: '10.244.3.2', revision: 12 },
      { podKey: 'ns/c', ip: '10.244.4.2', revision: 13 },
      { podKey: 'ns/d', ip: '10.244.3.7', revision: 14 },
    ]);
    expect(conflicts).toEqual(['pod ns/c has IP 10.244.4.2, outside the podCIDR 10.244.3.0/24', 'pods ns/a and ns/d both hold 10.244.3.7']);
    expect([...allocation.byPod]).toEqual([
      ['ns/a', '10.244.3.7'],
      ['ns/b', '10.244.3.2'],
    ]);
    expect(allocateAll(allocation, ['ns/e', 'ns/f', 'ns/g', 'ns/h', 'ns/i']).ips).toEqual(['10.244.3.3', '10.244.3.4', '10.244.3.5', '10.244.3.6', '10.244.3.8']);
  });
});
