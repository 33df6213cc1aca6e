import { describe, expect, it } from 'vitest';
import { statePaths } from '../state-dir.js';
import { parseStoreRevision } from './status.js';
import { resolveSettings, stateDirArgument } from './up.js';

describe('resolveSettings', () => {
  it('takes flags over what the cluster had over the defaults', () => {
    expect(resolveSettings({}, undefined)).toEqual({ nodes: 1, serviceClusterIPRange: '10.96.0.0/12', serviceNodePortRange: '30000-32767', ports: {} });
    const previous = { nodes: 3, serviceClusterIPRange: '10.0.0.0/24', serviceNodePortRange: '31000-31999', ports: { 'api-store': 7000 } };
    expect(resolveSettings({}, previous)).toEqual(previous);
    expect(resolveSettings({ nodes: 2, serviceNodePortRange: '30000-30100' }, previous)).toEqual({ ...previous, nodes: 2, serviceNodePortRange: '30000-30100' });
  });
});

describe('stateDirArgument', () => {
  it('is empty for the default folder, relative when below, absolute otherwise', () => {
    expect(stateDirArgument(statePaths('/w/.kubemu'), { cwd: '/w', env: {} })).toBe('');
    expect(stateDirArgument(statePaths('/w/.kubemu'), { cwd: '/w', env: { KUBEMU_STATE_DIR: '/w/.kubemu' } })).toBe(' --state-dir .kubemu');
    expect(stateDirArgument(statePaths('/w/x/st'), { cwd: '/w', env: {} })).toBe(' --state-dir x/st');
    expect(stateDirArgument(statePaths('/tmp/st'), { cwd: '/w', env: {} })).toBe(' --state-dir /tmp/st');
  });
});

describe('parseStoreRevision', () => {
  it("reads the api-store's gauge", () => {
    expect(parseStoreRevision('# HELP kubemu_store_revision x\n# TYPE kubemu_store_revision gauge\nkubemu_store_revision 42\nother 1\n')).toBe(42);
    expect(parseStoreRevision('nothing 1\n')).toBeUndefined();
  });
});
