// The kubeconfig `kubemu up` writes for real kubectl, and the reading of it every other command
// does (current-context → cluster server, user token, namespace), as clientcmd resolves it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { toYaml } from './output-format.js';

export const KUBECONFIG_NAME = 'kubemu';

export interface ClusterAccess {
  server: string;
  token: string;
  /** PEM, decoded from certificate-authority-data. */
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  /** The context's namespace, or "default". */
  namespace: string;
}

/**
 * clientcmd's layout (clientcmd/api/v1 Config), with a bearer token for the user. client-go sends
 * the token only over TLS (clientcmd getUserIdentificationPartialConfig), so for real kubectl the
 * server must be https:// with its CA here.
 */
export function renderKubeconfig(server: string, token: string, certificateAuthorityPem?: string): string {
  const cluster: Record<string, string> = { server };
  if (certificateAuthorityPem) cluster['certificate-authority-data'] = Buffer.from(certificateAuthorityPem).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster, name: KUBECONFIG_NAME }],
    contexts: [{ context: { cluster: KUBECONFIG_NAME, user: KUBECONFIG_NAME }, name: KUBECONFIG_NAME }],
    'current-context': KUBECONFIG_NAME,
    preferences: {},
    users: [{ name: KUBECONFIG_NAME, user: { token } }],
  };
  // clientcmd.Write goes through JSON to YAML: keys sorted, as every generated kubeconfig shows.
  return toYaml(config);
}

interface Named<T> {
  name?: string;
  cluster?: T;
  context?: T;
  user?: T;
}

export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

export function parseKubeconfig(text: string, source: string): ClusterAccess {
  const doc = parse(text) as {
    'current-context'?: string;
    contexts?: Named<{ cluster?: string; user?: string; namespace?: string }>[];
    clusters?: Named<{ server?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean }>[];
    users?: Named<{ token?: string }>[];
  } | null;
  const current = doc?.['current-context'];
  if (!current) throw new KubeconfigError(`${source}: no current-context`);
  const context = doc?.contexts?.find((c) => c.name === current)?.context;
  if (!context) throw new KubeconfigError(`${source}: context "${current}" not found`);
  const cluster = doc?.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const server = cluster?.server;
  if (!server) throw new KubeconfigError(`${source}: cluster "${context.cluster ?? ''}" has no server`);
  const token = doc?.users?.find((u) => u.name === context.user)?.user?.token ?? '';
  const access: ClusterAccess = { server, token, namespace: context.namespace || 'default' };
  const caData = cluster['certificate-authority-data'];
  if (caData) access.certificateAuthority = Buffer.from(caData, 'base64').toString('utf8');
  if (cluster['insecure-skip-tls-verify'] === true) access.insecureSkipTlsVerify = true;
  return access;
}

export function readKubeconfig(file: string): ClusterAccess | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseKubeconfig(text, file);
}
