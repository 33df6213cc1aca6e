import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSelfSigned, servingNames } from './certificates.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function certDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubemu-certs-'));
  dirs.push(d);
  return join(d, 'pki');
}

describe('servingNames', () => {
  it('names what kube-apiserver names, once each, without the wildcard bind address', () => {
    expect(servingNames(['0.0.0.0', '192.168.1.10', '192.168.1.10'], '10.96.0.1')).toEqual([
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      '127.0.0.1',
      '10.96.0.1',
      '192.168.1.10',
    ]);
  });
});

describe('loadOrCreateSelfSigned', () => {
  const names = servingNames(['127.0.0.1'], '10.96.0.1');

  it('makes a CA and an ECDSA P-256 serving certificate it signs, for every name', async () => {
    const dir = certDir();
    const s = await loadOrCreateSelfSigned(dir, names);
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    const cert = new X509Certificate(s.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:127.0.0.1, IP Address:10.96.0.1',
    );
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(s.ca).toBe(ca.toString());
  });

  it('reuses what is there, and re-issues with the same CA when a name is missing', async () => {
    const dir = certDir();
    const first = await loadOrCreateSelfSigned(dir, names);
    const again = await loadOrCreateSelfSigned(dir, names);
    expect(again.cert).toBe(first.cert);
    expect(again.key).toBe(first.key);
    const wider = await loadOrCreateSelfSigned(dir, [...names, '10.0.0.5']);
    expect(wider.cert).not.toBe(first.cert);
    expect(wider.ca).toBe(first.ca);
    expect(new X509Certificate(wider.cert).checkIP('10.0.0.5')).toBe('10.0.0.5');
  });
});
