import { describe, expect, it } from 'vitest';
import { parseKubeconfig, renderKubeconfig } from './kubeconfig.js';

describe('kubeconfig', () => {
  it("is clientcmd's layout with a context and cluster named kubemu", () => {
    expect(renderKubeconfig('http://127.0.0.1:6443', 'tok')).toBe(
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        '    server: http://127.0.0.1:6443',
        '  name: kubemu',
        'contexts:',
        '- context:',
        '    cluster: kubemu',
        '    user: kubemu',
        '  name: kubemu',
        'current-context: kubemu',
        'kind: Config',
        'preferences: {}',
        'users:',
        '- name: kubemu',
        '  user:',
        '    token: tok',
        '',
      ].join('\n'),
    );
  });

  it('is read back through the current context', () => {
    expect(parseKubeconfig(renderKubeconfig('http://127.0.0.1:7000', 'abc'), 'k')).toEqual({ server: 'http://127.0.0.1:7000', token: 'abc', namespace: 'default' });
    const other = `apiVersion: v1
clusters: [{name: c1, cluster: {server: "http://a:1"}}, {name: c2, cluster: {server: "http://b:2"}}]
contexts: [{name: x, context: {cluster: c2, user: u, namespace: team}}]
users: [{name: u, user: {token: t}}]
current-context: x
`;
    expect(parseKubeconfig(other, 'k')).toEqual({ server: 'http://b:2', token: 't', namespace: 'team' });
    expect(() => parseKubeconfig('apiVersion: v1\n', 'cfg')).toThrow('cfg: no current-context');
  });

  it('carries a CA for an https server', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const text = renderKubeconfig('https://127.0.0.1:6443', 't', pem);
    expect(text).toContain(`- cluster:\n    certificate-authority-data: ${Buffer.from(pem).toString('base64')}\n    server: https://127.0.0.1:6443\n`);
    expect(parseKubeconfig(text, 'k')).toEqual({ server: 'https://127.0.0.1:6443', token: 't', namespace: 'default', certificateAuthority: pem });
  });
});
