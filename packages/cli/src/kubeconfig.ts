// The kubeconfig `kubemu up` writes for real kubectl, and the reading of it every other command
// does (current-context → cluster server, user token, namespace), as clientcmd resolves it.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export const KUBECONFIG_NAME = 'kubemu';

export interface ClusterAccess {
  server: string;
  token: string;
  /** The context's namespace, or "default". */
  namespace: string;
}

/** clientcmd's layout (clientcmd/api/v1 Config), with a bearer token for the user. */
export function renderKubeconfig(server: string, token: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster: { server }, name: KUBECONFIG_NAME }],
    contexts: [{ context: { cluster: KUBECONFIG_NAME, user: KUBECONFIG_NAME }, name: KUBECONFIG_NAME }],
    'current-context': KUBECONFIG_NAME,
    preferences: {},
    users: [{ name: KUBECONFIG_NAME, user: { token } }],
  };
  return stringify(config, { indentSeq: false });
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
    clusters?: Named<{ server?: string }>[];
    users?: Named<{ token?: string }>[];
  } | null;
  const current = doc?.['current-context'];
  if (!current) throw new KubeconfigError(`${source}: no current-context`);
  const context = doc?.contexts?.find((c) => c.name === current)?.context;
  if (!context) throw new KubeconfigError(`${source}: context "${current}" not found`);
  const server = doc?.clusters?.find((c) => c.name === context.cluster)?.cluster?.server;
  if (!server) throw new KubeconfigError(`${source}: cluster "${context.cluster ?? ''}" has no server`);
  const token = doc?.users?.find((u) => u.name === context.user)?.user?.token ?? '';
  return { server, token, namespace: context.namespace || 'default' };
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
