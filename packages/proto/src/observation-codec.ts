// Observations on KUBEMU_STATUS: what an agent did, at which revision, in which state.
import './long-as-number.js';
import { kubemu } from '../generated/kubemu.js';
import { CodecError } from './object-codec.js';
import { MAX_OBSERVATION_BYTES } from './limits.js';

export type Observation = kubemu.v1.IObservation;

export function encodeObservation(observation: Observation): Uint8Array {
  const bytes = kubemu.v1.Observation.encode(kubemu.v1.Observation.fromObject(observation)).finish();
  if (bytes.length > MAX_OBSERVATION_BYTES) throw new CodecError(`observation is ${bytes.length} bytes; the limit is ${MAX_OBSERVATION_BYTES}`);
  return bytes;
}

export function decodeObservation(bytes: Uint8Array): Observation {
  if (bytes.length > MAX_OBSERVATION_BYTES) throw new CodecError(`observation is ${bytes.length} bytes; the limit is ${MAX_OBSERVATION_BYTES}`);
  try {
    return kubemu.v1.Observation.toObject(kubemu.v1.Observation.decode(bytes), { longs: Number, defaults: false, arrays: false }) as Observation;
  } catch (err) {
    throw new CodecError(`malformed Observation: ${(err as Error).message}`);
  }
}
