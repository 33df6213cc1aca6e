// @kubemu/cli as a library: the command runner and the pieces other packages and tests reuse.
export { runCli, COMMANDS, type Command } from './cli.js';
export { bufferIO, processIO, type CliIO } from './io.js';
export { ApiClient, ApiError, ConnectionError } from '@kubemu/client';
export { COMPONENTS, type Component, type ComponentContext } from './components.js';
export { renderKubeconfig, parseKubeconfig, readKubeconfig, type ClusterAccess } from './kubeconfig.js';
export { statePaths, resolveStateDir, readClusterRecord, type ClusterRecord, type ClusterSettings, type StatePaths } from './state-dir.js';
export { planApply, threeWayMergePatch, LAST_APPLIED_ANNOTATION } from './apply-patch.js';
export { readManifests, parseManifest, type ManifestObject } from './manifests.js';
