// Plain counters of what this process did on the bus. The processes expose them on /metrics
// (prom-client lives there, not here).

/** Why a stored message was not delivered to a reader. */
export type RejectReason =
  /** The subject does not parse as an object or status subject. */
  | 'subject'
  /** The payload does not decode (CodecError, or a size over the limit). */
  | 'codec'
  /** The object's namespace/name differ from the ones its subject names. */
  | 'key-mismatch';

export const REJECT_REASONS: readonly RejectReason[] = ['subject', 'codec', 'key-mismatch'];

export interface BusMetrics {
  /** ObjectEvents delivered to readers and watches. */
  eventsRead: number;
  /** Observations delivered to readers. */
  observationsRead: number;
  /** Stored messages skipped by readers, by reason (both streams). */
  rejected: Record<RejectReason, number>;
  /** ObjectEvents the stream accepted (duplicates not included). */
  publishes: number;
  /** Publishes the stream recognised as a retry of an accepted msgId. */
  duplicates: number;
  /** Publishes refused because an expected last sequence no longer held. */
  conflicts: number;
  observationsPublished: number;
  /** Times a reader lost its consumer (server restart, timeout) and resumed from its cursor. */
  readerResumes: number;
}

export function newBusMetrics(): BusMetrics {
  return {
    eventsRead: 0,
    observationsRead: 0,
    rejected: { subject: 0, codec: 0, 'key-mismatch': 0 },
    publishes: 0,
    duplicates: 0,
    conflicts: 0,
    observationsPublished: 0,
    readerResumes: 0,
  };
}
