import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeObjectEvent, encodeLogRecordDelimited } from '@kubemu/proto';
import { nodeEvent, serviceEvent } from '../test-support/fixture.js';
import {
  decodeSnapshotFile,
  encodeSnapshotFile,
  MAX_SNAPSHOT_FILE_BYTES,
  readSnapshotFile,
  SnapshotFileError,
  writeSnapshotFile,
  type SnapshotFileContent,
} from './snapshot-file.js';
import { SnapshotWriter } from './snapshot-writer.js';

const LOG_KINDS: Record<string, string> = { Service: 'services', Node: 'nodes' };
const logKindOf = (kind: string): string | undefined => LOG_KINDS[kind];

/** Objects exactly as a reader of the log gets them. */
const fromLog = (bytes: Uint8Array, revision: number) => {
  const e = decodeObjectEvent(bytes, revision);
  return { kind: e.kind, object: e.object, revision };
};

const content: SnapshotFileContent = {
  agent: 'proxy-agent/node-1',
  revision: 12,
  logCreatedAt: '2026-11-27T23:46:24.013867967Z',
  objects: [fromLog(nodeEvent('node-1'), 2), fromLog(serviceEvent('default', 'web', 'MODIFIED', 8080), 9), fromLog(serviceEvent('kube.system', 'dns.x'), 4)],
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubemu-snapshot-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('snapshot file', () => {
  it('gives back what was written: the objects exactly as the log carries them', () => {
    const decoded = decodeSnapshotFile(encodeSnapshotFile(content, logKindOf));
    expect(decoded).toEqual(content);
    expect(decoded.objects[1]!.object).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', resourceVersion: '9' },
      spec: { type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 8080, targetPort: 8080 }], selector: { app: 'web' } },
    });
    expect(decodeSnapshotFile(encodeSnapshotFile({ ...content, revision: 0, objects: [] }, logKindOf))).toEqual({ ...content, revision: 0, objects: [] });
  });

  const bytes = (): Buffer => Buffer.from(encodeSnapshotFile(content, logKindOf));
  const damaged: [string, () => Uint8Array, string][] = [
    ['an empty file', () => new Uint8Array(0), 'not a kubemu.snapshot.v1 file: no header'],
    ['a file cut inside a record', () => bytes().subarray(0, bytes().length - 5), `the snapshot ends inside a record at byte`],
    [
      'a file cut between records',
      () => {
        const b = bytes();
        const trailer = encodeLogRecordDelimited({ stream: 'kubemu.snapshot.v1', subject: 'kubemu.snapshot.trailer', sequence: 12, timeUnixNano: 0, data: new Uint8Array(32) });
        return b.subarray(0, b.length - trailer.length);
      },
      'the snapshot has no trailer: it was cut short',
    ],
    [
      'a flipped byte inside an object',
      () => {
        const b = bytes();
        const at = b.indexOf('web');
        b[at] = 'x'.charCodeAt(0);
        return b;
      },
      'the snapshot does not match its checksum: it is damaged',
    ],
    ['random bytes', () => Buffer.from('this is not a snapshot at all, just text\n'), 'the snapshot ends inside a record at byte 0 of 41'],
    [
      'an exported log',
      () => encodeLogRecordDelimited({ stream: 'KUBEMU_OBJECTS', subject: 'kubemu.obj.services.default.web', sequence: 1, timeUnixNano: 0, data: serviceEvent('default', 'web') }),
      'not a kubemu.snapshot.v1 file: no header',
    ],
  ];
  it.each(damaged)('refuses %s', (_what, make, message) => {
    expect(() => decodeSnapshotFile(make())).toThrow(SnapshotFileError);
    expect(() => decodeSnapshotFile(make())).toThrow(message);
  });

  it('refuses to write a snapshot over the size bound', () => {
    const size = bytes().length;
    expect(() => encodeSnapshotFile(content, logKindOf, size - 1)).toThrow(new SnapshotFileError('a snapshot of 3 objects is over ' + (size - 1) + ' bytes'));
    expect(encodeSnapshotFile(content, logKindOf, size)).toHaveLength(size);
    expect(MAX_SNAPSHOT_FILE_BYTES).toBe(512 * 1024 * 1024);
  });

  it('refuses a kind the log does not carry', () => {
    expect(() => encodeSnapshotFile(content, () => undefined)).toThrow(new SnapshotFileError('kind Node is not carried by the log'));
  });

  it('is replaced atomically and read back; a missing file is no snapshot; a file over the bound is refused', async () => {
    const path = join(dir, 'snapshots', 'agent.pb');
    expect(await readSnapshotFile(path)).toBeUndefined();
    await writeSnapshotFile(path, encodeSnapshotFile(content, logKindOf));
    await writeSnapshotFile(path, encodeSnapshotFile({ ...content, revision: 13 }, logKindOf));
    expect(await readSnapshotFile(path)).toEqual({ ...content, revision: 13 });
    expect(await readdir(join(dir, 'snapshots'))).toEqual(['agent.pb']);
    const size = (await readFile(path)).length;
    await expect(readSnapshotFile(path, { agent: 'proxy-agent/node-1' })).resolves.toEqual({ ...content, revision: 13 });
    await expect(readSnapshotFile(path, { agent: 'proxy-agent/node-2' })).rejects.toThrow(
      new SnapshotFileError(`${path} is the snapshot of proxy-agent/node-1, not of proxy-agent/node-2`),
    );
    await expect(readSnapshotFile(path, { maxBytes: size - 1 })).rejects.toThrow(new SnapshotFileError(`${path} is ${size} bytes; a snapshot is at most ${size - 1}`));
    await writeFile(path, 'garbage');
    await expect(readSnapshotFile(path)).rejects.toThrow(SnapshotFileError);
  });
});

describe('SnapshotWriter', () => {
  it('writes when asked, not twice for one revision, and within the interval after changes', async () => {
    const path = join(dir, 'agent.pb');
    let revision = 5;
    const written: number[] = [];
    const writer = new SnapshotWriter({
      path,
      intervalMs: 10,
      revision: () => revision,
      encode: () => encodeSnapshotFile({ ...content, revision, objects: [] }, logKindOf),
      onWritten: (w) => written.push(w.revision),
    });
    await writer.writeNow();
    await writer.writeNow();
    expect(written).toEqual([5]);
    revision = 6;
    writer.changed();
    revision = 7;
    writer.changed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toEqual([5, 7]);
    revision = 8;
    await writer.close();
    writer.changed();
    expect(written).toEqual([5, 7, 8]);
    expect((await readSnapshotFile(path))?.revision).toBe(8);
  });

  it('reports a failed write and goes on', async () => {
    const errors: string[] = [];
    const writer = new SnapshotWriter({
      path: join(dir, 'agent.pb'),
      revision: () => 1,
      encode: () => {
        throw new SnapshotFileError('too big');
      },
      onError: (err) => errors.push(String(err)),
    });
    await writer.close();
    expect(errors).toEqual(['SnapshotFileError: too big']);
  });
});
