import { describe, it, expect } from 'vitest';
import type { Pod } from '../api/types.js';
import { noResourcesFound, renderGet, renderTable } from './render.js';
import { tableFor } from './registry.js';
import { column, type Table } from './table.js';

const now = Date.parse('2026-11-27T21:29:00Z');

const pod = (name: string, namespace: string, labels?: Record<string, string>): Pod => ({
  kind: 'Pod',
  metadata: { name, namespace, labels, creationTimestamp: new Date(now - 5 * 60_000).toISOString() },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }] },
});

describe('renderTable (cli-runtime tableprinter.go)', () => {
  it('--no-headers: narrow columns still get minwidth 6 (RESTARTS "0" is 6 wide)', () => {
    expect(renderTable(tableFor('Pod', [pod('web-0', 'default'), pod('web-1', 'default')], { now }), { noHeaders: true })).toBe(
      'web-0   1/1   Running   0     5m\n' + 'web-1   1/1   Running   0     5m\n',
    );
  });

  it('--show-labels appends LABELS, sorted k=v, <none> when empty; -L adds a column per key', () => {
    const t = tableFor('Pod', [pod('web-0', 'default', { tier: 'web', app: 'nginx' }), pod('bare', 'default')], { now });
    expect(renderTable(t, { showLabels: true })).toBe(
      'NAME    READY   STATUS    RESTARTS   AGE   LABELS\n' +
        'web-0   1/1     Running   0          5m    app=nginx,tier=web\n' +
        'bare    1/1     Running   0          5m    <none>\n',
    );
    expect(renderTable(t, { columnLabels: ['example.com/tier', 'app'] })).toBe(
      'NAME    READY   STATUS    RESTARTS   AGE   TIER   APP\n' +
        'web-0   1/1     Running   0          5m           nginx\n' +
        'bare    1/1     Running   0          5m           \n',
    );
  });

  it('-A with --show-labels and --no-headers together', () => {
    const t = tableFor('Pod', [pod('coredns-0', 'kube-system', { 'k8s-app': 'kube-dns' })], { now });
    expect(renderTable(t, { withNamespace: true, showLabels: true, noHeaders: true })).toBe(
      'kube-system   coredns-0   1/1   Running   0     5m    k8s-app=kube-dns\n',
    );
  });

  it('cuts a cell at its first line break with "..." and escapes terminal control characters', () => {
    const t: Table = {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      columnDefinitions: [column('Name', ''), column('Message', ''), column('Count', '', { type: 'integer' })],
      rows: [{ cells: ['a', 'first line\nsecond line', 7] }, { cells: ['b', 'red \x1b[31m', null] }],
    };
    expect(renderTable(t)).toBe('NAME   MESSAGE         COUNT\n' + 'a      first line...   7\n' + 'b      red ^[[31m      \n');
  });

  it('ignores cells beyond the column definitions (issue 66379)', () => {
    const t: Table = {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      columnDefinitions: [column('Name', '')],
      rows: [{ cells: ['a', 'extra'] }],
    };
    expect(renderTable(t)).toBe('NAME\na\n');
  });

  it('an empty table prints nothing, with or without headers', () => {
    const t = tableFor('Service', [], { now });
    expect(renderTable(t)).toBe('');
    expect(renderTable(t, { noHeaders: true })).toBe('');
  });
});

describe('kubectl get with nothing to print', () => {
  it('says so on stderr, naming the namespace only for namespaced resources without -A', () => {
    expect(noResourcesFound({ namespaced: true, allNamespaces: false, namespace: 'default' })).toBe(
      'No resources found in default namespace.\n',
    );
    expect(noResourcesFound({ namespaced: true, allNamespaces: true, namespace: 'default' })).toBe('No resources found\n');
    expect(noResourcesFound({ namespaced: false, allNamespaces: false, namespace: 'default' })).toBe('No resources found\n');
  });

  it('renderGet puts the table on stdout, or the message on stderr', () => {
    const opts = { namespaced: true, allNamespaces: false, namespace: 'demo' };
    expect(renderGet(tableFor('Pod', [], { now }), opts)).toEqual({ stdout: '', stderr: 'No resources found in demo namespace.\n' });
    expect(renderGet(tableFor('Pod', [pod('web-0', 'demo')], { now }), opts)).toEqual({
      stdout: 'NAME    READY   STATUS    RESTARTS   AGE\nweb-0   1/1     Running   0          5m\n',
      stderr: '',
    });
  });
});
