// The errors an allocator returns, with the texts of pkg/registry/core/service/ipallocator and
// portallocator (ErrFull, ErrAllocated, ErrNotInRange).

export type AllocationErrorReason = 'NotInRange' | 'Allocated' | 'Full';

export interface AllocationError {
  readonly reason: AllocationErrorReason;
  readonly message: string;
}

export type AllocationResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AllocationError };

/** ErrFull, the same text in ipallocator and portallocator. */
export const ERR_FULL: AllocationError = { reason: 'Full', message: 'range is full' };
