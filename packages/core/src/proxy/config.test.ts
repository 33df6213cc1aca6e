import { describe, expect, it } from 'vitest';
import { defaultProxyConfig, formatGoDuration, masqueradeMark, parseGoDuration, parseKubeProxyConfiguration } from './config.js';

const base = { apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration' };

describe('parseKubeProxyConfiguration', () => {
  it('defaults as v1alpha1 does', () => {
    expect(parseKubeProxyConfiguration(base)).toEqual({ ok: true, config: defaultProxyConfig() });
    expect(defaultProxyConfig()).toEqual({
      clusterCIDRs: [],
      detectLocalMode: 'ClusterCIDR',
      bridgeInterface: '',
      interfaceNamePrefix: '',
      masqueradeAll: false,
      masqueradeBit: 14,
      localhostNodePorts: true,
      syncPeriodMs: 30000,
      minSyncPeriodMs: 1000,
      nodePortAddresses: [],
      verbosity: 0,
    });
  });

  it('reads logging.verbosity (a uint32)', () => {
    expect(parseKubeProxyConfiguration({ ...base, logging: { verbosity: 4 } })).toEqual({ ok: true, config: { ...defaultProxyConfig(), verbosity: 4 } });
    expect(parseKubeProxyConfiguration({ ...base, logging: { verbosity: -1 } })).toEqual({
      ok: false,
      errors: [],
      message: 'failed to decode: json: cannot unmarshal -1 into Go struct field LoggingConfiguration.logging.verbosity of type config.VerbosityLevel',
    });
  });

  it('reads the fields kubemu honours', () => {
    const r = parseKubeProxyConfiguration({
      ...base,
      clusterCIDR: '10.244.0.0/16',
      detectLocalMode: 'NodeCIDR',
      iptables: { masqueradeAll: true, masqueradeBit: 15, localhostNodePorts: false, syncPeriod: '1m0s', minSyncPeriod: '500ms' },
      nodePortAddresses: ['127.0.1.0/24'],
    });
    expect(r).toEqual({
      ok: true,
      config: {
        ...defaultProxyConfig(),
        clusterCIDRs: ['10.244.0.0/16'],
        detectLocalMode: 'NodeCIDR',
        masqueradeAll: true,
        masqueradeBit: 15,
        localhostNodePorts: false,
        syncPeriodMs: 60000,
        minSyncPeriodMs: 500,
        nodePortAddresses: ['127.0.1.0/24'],
      },
    });
  });

  it('reports validation errors as kube-proxy words them', () => {
    const r = parseKubeProxyConfiguration({
      ...base,
      clusterCIDR: '10.244.0.0/33',
      detectLocalMode: 'Bogus',
      iptables: { masqueradeBit: 32, syncPeriod: '1s', minSyncPeriod: '2s' },
      nodePortAddresses: ['primary', '10.0.0.0/8'],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe(
      '[' +
        [
          'KubeProxyConfiguration.KubeProxyIPTablesConfiguration.MasqueradeBit: Invalid value: 32: must be within the range [0, 31]',
          'KubeProxyConfiguration.SyncPeriod: Invalid value: 2s: must be greater than or equal to KubeProxyConfiguration.MinSyncPeriod',
          "KubeProxyConfiguration.NodePortAddresses[0]: Invalid value: \"primary\": can't use both 'primary' and CIDRs",
          'KubeProxyConfiguration.DetectLocalMode: Unsupported value: "Bogus": supported values: "ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix", ""',
        ].join(', ') +
        ']',
    );
    const cidr = parseKubeProxyConfiguration({ ...base, clusterCIDR: '10.244.0.0/33' });
    expect(cidr.ok ? '' : cidr.message).toBe(
      'KubeProxyConfiguration.DetectLocalConfiguration.ClusterCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)',
    );
    const zero = parseKubeProxyConfiguration({ ...base, iptables: { syncPeriod: '0s', minSyncPeriod: '0s' } });
    expect(zero.ok ? '' : zero.message).toBe('KubeProxyConfiguration.SyncPeriod: Invalid value: 0s: must be greater than 0');
  });

  it('rejects other kinds and versions at decode time', () => {
    const r = parseKubeProxyConfiguration({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(r.ok ? '' : r.message).toBe('failed to decode: no kind "ConfigMap" is registered for version "v1"');
  });
});

describe('masqueradeMark', () => {
  it('is fmt.Sprintf("%#08x", 1<<bit): digits zero-padded to 8, then 0x', () => {
    expect(masqueradeMark(14)).toBe('0x00004000');
    expect(masqueradeMark(0)).toBe('0x00000001');
    expect(masqueradeMark(31)).toBe('0x80000000');
  });
});

describe('Go durations', () => {
  it.each([
    ['30s', 30000],
    ['1m0s', 60000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['1h2m3s', 3723000],
    ['0', 0],
  ])('parse %s', (s, ms) => expect(parseGoDuration(s)).toBe(ms));
  it('rejects junk', () => expect(parseGoDuration('30')).toBeUndefined());
  it.each([
    [0, '0s'],
    [1500, '1.5s'],
    [60000, '1m0s'],
    [3723000, '1h2m3s'],
    [500, '500ms'],
  ])('format %i', (ms, s) => expect(formatGoDuration(ms)).toBe(s));
});
