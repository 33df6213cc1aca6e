// Creates the objects kube-apiserver creates on its own (core bootstrapObjects) when the log lacks them.
import { admitCreate, resourceByKind, type AdmissionContext, type KubeObject } from '@kubemu/core';
import type { Writer } from './writer.js';

/** Creates what is missing. Returns the problems (e.g. an address validation refuses), never throws on AlreadyExists. */
export async function bootstrap(writer: Writer, objects: KubeObject[], ctx: () => AdmissionContext): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const r = resourceByKind(object.kind!)!;
    const result = await writer.write((s) => admitCreate(r, object, object.metadata?.namespace, s, ctx()), 'api-store/bootstrap');
    if (!result.ok && result.status.reason !== 'AlreadyExists') problems.push(`${object.kind} ${object.metadata?.name}: ${result.status.message}`);
  }
  return problems;
}
