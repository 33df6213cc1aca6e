// Runs one controller: keys from informer events into a deduplicating work queue, one sync per key at a
// time, writes through the api-store. The decision in each sync is a core decider over the cached
// objects; the shell only performs the writes it asks for.
//
// Never acting twice for one event: a sync that wrote something records the highest revision it wrote
// (client-go's ControllerExpectations play this part upstream), and the key is not synced again until
// the informer has folded that revision in, so the next decision always sees the previous writes. Every
// update and delete carries the resourceVersion it was decided from: a 409 means the cache was behind,
// and the key is recomputed from the newer state.
import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import { ApiClient, ApiError, ConnectionError, type EventRecorder } from '@kubemu/client';
import { InvariantError, resourceByKind, type KubeObject, type LogEvent, type ObjectStore, type Random } from '@kubemu/core';
import type { Informer } from './informer.js';
import { controllerLifecycle, mayReconcile } from './lifecycle.js';
import type { Metrics } from './metrics.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

export interface SyncContext {
  store: ObjectStore;
  api: ControllerApi;
  now: () => Date;
  random: Random;
  log: Logger;
  /** The event recorder of a component ("replicaset-controller", "default-scheduler"): one each, as upstream. */
  events: (component: string) => EventRecorder;
}

export interface SyncResult {
  /** Sync the key again after this long (time-driven rules: grace periods, minReadySeconds). */
  requeueAfterMs?: number;
}

export interface ControllerDefinition {
  name: string;
  /** The keys an event makes stale. */
  keysFor(event: LogEvent, previous: KubeObject | undefined, store: ObjectStore): Iterable<string>;
  /** Every key worth looking at after the replay (a resync from the log). */
  initialKeys(store: ObjectStore): Iterable<string>;
  sync(key: string, ctx: SyncContext): Promise<SyncResult | void>;
  /** Called on an interval when set (node health is checked against the clock). */
  periodic?: { everyMs: number; keys(store: ObjectStore): Iterable<string> };
  queue?: WorkQueueOptions;
  /** Keys synced at once (kube-controller-manager's --concurrent-*-syncs); never one key twice. Default 1. */
  workers?: number;
}

/** The api-store, as a controller writes to it: counted, and the revision of every write remembered. */
export class ControllerApi {
  highestWritten = 0;
  constructor(
    private readonly client: ApiClient,
    private readonly controller: string,
    private readonly metrics: Metrics,
  ) {}

  private async call<T extends KubeObject | unknown>(verb: string, f: () => Promise<T>): Promise<T> {
    try {
      const out = await f();
      this.metrics.writes.inc({ controller: this.controller, verb, code: verb === 'create' ? '201' : '200' });
      const rv = Number((out as KubeObject | undefined)?.metadata?.resourceVersion ?? 0);
      if (Number.isSafeInteger(rv) && rv > this.highestWritten) this.highestWritten = rv;
      return out;
    } catch (err) {
      if (err instanceof ApiError) {
        this.metrics.writes.inc({ controller: this.controller, verb, code: String(err.status.code ?? 0) });
        if (err.status.code === 409) this.metrics.conflicts.inc({ controller: this.controller });
      }
      throw err;
    }
  }

  create<T extends KubeObject>(object: T): Promise<T> {
    const r = resourceOf(object);
    return this.call('create', () => this.client.create(r, object.metadata?.namespace, object) as Promise<T>);
  }

  /** PUT carrying object.metadata.resourceVersion: a stale decision is refused with 409. */
  update<T extends KubeObject>(object: T): Promise<T> {
    requireResourceVersion(object);
    const r = resourceOf(object);
    return this.call('update', () => this.client.update(r, object.metadata?.namespace, object) as Promise<T>);
  }

  updateStatus<T extends KubeObject>(object: T): Promise<T> {
    requireResourceVersion(object);
    const r = resourceOf(object);
    return this.call('update', () => this.client.updateStatus(r, object.metadata?.namespace, object) as Promise<T>);
  }

  /** DELETE with the uid and resourceVersion the decision was made from as preconditions. */
  delete(object: KubeObject): Promise<unknown> {
    const r = resourceOf(object);
    const preconditions: { resourceVersion?: string; uid?: string } = {};
    if (object.metadata?.resourceVersion) preconditions.resourceVersion = object.metadata.resourceVersion;
    if (object.metadata?.uid) preconditions.uid = object.metadata.uid;
    return this.call('delete', () => this.client.delete(r, object.metadata?.namespace, object.metadata?.name ?? '', { preconditions }));
  }

  /** POST to a subresource (pods/<name>/binding). */
  post(path: string, body: unknown): Promise<unknown> {
    return this.call('create', () => this.client.request('POST', path, { body }));
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call('update', () => this.client.request<T>('PUT', path, { body }));
  }
}

function resourceOf(object: KubeObject) {
  const r = resourceByKind(object.kind ?? '');
  if (!r) throw new InvariantError(`no resource for kind ${String(object.kind)}`);
  return r;
}

function requireResourceVersion(object: KubeObject): void {
  if (!object.metadata?.resourceVersion) throw new InvariantError(`${object.kind} ${object.metadata?.name}: a controller update must carry a resourceVersion`);
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status.code === 409;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status.code === 404;
}

/** Errors that say the api-store is unreachable or unwell (the controller is degraded), not that the decision was wrong. */
function isUnavailable(err: unknown): boolean {
  return err instanceof ConnectionError || (err instanceof ApiError && (err.status.code ?? 0) >= 500);
}

export interface RunnerDeps {
  informer: Informer;
  client: ApiClient;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  random: Random;
  events: (component: string) => EventRecorder;
}

export class ControllerRunner {
  readonly queue: WorkQueue;
  readonly lifecycle: Actor<typeof controllerLifecycle>;
  private readonly expected = new Map<string, number>();
  private readonly log: Logger;
  running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly definition: ControllerDefinition,
    private readonly deps: RunnerDeps,
  ) {
    this.queue = new WorkQueue(definition.queue);
    this.log = deps.log.child({ controller: definition.name });
    this.lifecycle = createActor(controllerLifecycle).start();
    this.lifecycle.subscribe((s) => this.log.info({ state: s.value }, 'lifecycle'));
    deps.informer.onEvent((event, previous) => {
      for (const key of definition.keysFor(event, previous, deps.informer.store)) this.queue.add(key);
      this.deps.metrics.queueDepth.set({ name: definition.name }, this.queue.depth);
    });
  }

  get state(): string {
    return String(this.lifecycle.getSnapshot().value);
  }

  /** After the informer's replay: queue every key, then work. */
  start(): void {
    for (const key of this.definition.initialKeys(this.deps.informer.store)) this.queue.add(key);
    this.lifecycle.send({ type: 'CAUGHT_UP', revision: this.deps.informer.revision });
    if (this.definition.periodic) {
      const { everyMs, keys } = this.definition.periodic;
      this.timer = setInterval(() => {
        for (const key of keys(this.deps.informer.store)) this.queue.add(key);
      }, everyMs);
    }
    this.running = Promise.all(Array.from({ length: this.definition.workers ?? 1 }, () => this.work())).then(() => undefined);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.next();
      if (key === undefined) return;
      this.deps.metrics.queueDepth.set({ name: this.definition.name }, this.queue.depth);
      try {
        const want = this.expected.get(key);
        if (want !== undefined) {
          // Expectations: the previous sync's writes must be in the cache before this key is decided again.
          await this.deps.informer.waitFor(want);
          this.expected.delete(key);
        }
        if (this.stopped || !mayReconcile(this.state)) continue;
        await this.syncOne(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async syncOne(key: string): Promise<void> {
    const api = new ControllerApi(this.deps.client, this.definition.name, this.deps.metrics);
    const ctx: SyncContext = { store: this.deps.informer.store, api, now: this.deps.now, random: this.deps.random, log: this.log, events: this.deps.events };
    const name = this.definition.name;
    try {
      const result = await this.definition.sync(key, ctx);
      this.queue.forget(key);
      this.deps.metrics.reconciles.inc({ controller: name, result: 'ok' });
      if (this.state === 'degraded') this.lifecycle.send({ type: 'SYNC_OK' });
      if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (err instanceof InvariantError) throw err;
      const conflict = isConflict(err);
      this.deps.metrics.reconciles.inc({ controller: name, result: conflict ? 'conflict' : 'error' });
      if (isUnavailable(err)) this.lifecycle.send({ type: 'SYNC_FAILED', reason: String((err as Error).message) });
      const retried = this.queue.addRateLimited(key);
      if (retried) this.deps.metrics.retries.inc({ name });
      else this.deps.metrics.reconciles.inc({ controller: name, result: 'dropped' });
      const level = conflict ? 'debug' : retried ? 'warn' : 'error';
      this.log[level]({ key, err: String((err as Error)?.message ?? err), retries: this.queue.retries(key) }, retried ? 'sync failed; requeued' : 'sync failed too often; dropped until the next event');
    } finally {
      if (api.highestWritten > 0) this.expected.set(key, Math.max(this.expected.get(key) ?? 0, api.highestWritten));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.queue.shutDown();
    this.lifecycle.send({ type: 'STOP' });
    await this.running?.catch(() => undefined);
  }
}
