// A kubeconfig for real kubectl against an api-store a test started: its CA, URL and token, context kubemu.
import type { ApiStoreHandle } from './kubemu-processes.js';

export function kubeconfigFor(api: Pick<ApiStoreHandle, 'ca' | 'url' | 'token'>): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(api.ca).toString('base64')}
    server: ${api.url}
  name: kubemu
contexts:
- context:
    cluster: kubemu
    user: kubemu
  name: kubemu
current-context: kubemu
users:
- name: kubemu
  user:
    token: ${api.token}
`;
}
