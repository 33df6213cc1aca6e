// The slice of kube-apiserver's OpenAPI v3 that clients read to learn what the server supports:
// kubectl 1.32 looks for the `fieldValidation` parameter on a kind's PATCH operation
// (cli-runtime resource/query_param_verifier_v3.go supportsQueryParamV3) and, when it is there,
// leaves validation to the server instead of validating against downloaded schemas.
import { groupVersions } from './discovery.js';
import { objectPath } from './paths.js';
import { RESOURCES } from './resources.js';

/** openapi3.Root's path key for a group-version: "api/v1", "apis/apps/v1". */
function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}));

/** /openapi/v3: where each group-version's document is. `hash` changes when the documents do. */
export function openApiV3Index(hash: string): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const key = gvPath(gv.group, gv.version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

/** /openapi/v3/<api/v1|apis/g/v>: the PATCH operation of each kind, with its query parameters. */
export function openApiV3Document(gvKey: string): Record<string, unknown> | undefined {
  const gv = groupVersions().find((g) => gvPath(g.group, g.version) === gvKey);
  if (!gv) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => x.group === gv.group && x.version === gv.version)) {
    const path = objectPath(r, r.namespaced ? '{namespace}' : undefined, '{name}').replace(/%7B/g, '{').replace(/%7D/g, '}');
    paths[path] = {
      patch: {
        operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
        parameters: QUERY_PARAMETERS,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: {} };
}
