import type { Random } from '../random.js';
import { AllocationBitmap } from './allocation-bitmap.js';
import { ERR_FULL, type AllocationError, type AllocationResult } from './allocation-error.js';
import { formatPortRange, portRangeContains, type PortRange } from './port-range.js';

// pkg/registry/core/service/portallocator/allocator.go: the allocator behind
// --service-node-port-range, shared by nodePorts and healthCheckNodePorts.

/** portallocator.ErrAllocated. */
export const ERR_PORT_ALLOCATED: AllocationError = { reason: 'Allocated', message: 'provided port is already allocated' };

/** portallocator.ErrNotInRange.Error(). */
export function portNotInRange(pr: PortRange): AllocationError {
  return {
    reason: 'NotInRange',
    message: `provided port is not in the valid range. The range of valid ports is ${formatPortRange(pr)}`,
  };
}

/**
 * calculateRangeOffset (portallocator/allocator.go, KEP-3668): min(max(16, size/32), 128), or 0
 * when the range has 16 ports or fewer.
 */
export function calculateNodePortRangeOffset(pr: PortRange): number {
  const min = 16;
  const max = 128;
  const step = 32;
  if (pr.size <= min) return 0;
  const offset = Math.floor(pr.size / step);
  if (offset < min) return min;
  if (offset > max) return max;
  return offset;
}

export interface ReadonlyNodePortAllocator {
  readonly range: PortRange;
  /** Size of the static (lower) band. */
  readonly offset: number;
  contains(port: number): boolean;
  has(port: number): boolean;
  used(): number;
  free(): number;
  /** Allocated ports, ascending. */
  allocated(): number[];
  /** The bitmap offset of port, or undefined when it is outside the range. */
  offsetOf(port: number): number | undefined;
  portAt(offset: number): number;
}

export class NodePortAllocator implements ReadonlyNodePortAllocator {
  private constructor(
    readonly range: PortRange,
    private readonly bitmap: AllocationBitmap,
  ) {}

  static forRange(range: PortRange): NodePortAllocator {
    return new NodePortAllocator(range, new AllocationBitmap(range.size, calculateNodePortRangeOffset(range)));
  }

  get offset(): number {
    return this.bitmap.offset;
  }

  clone(): NodePortAllocator {
    return new NodePortAllocator(this.range, this.bitmap.clone());
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && portRangeContains(this.range, port);
  }

  offsetOf(port: number): number | undefined {
    return this.contains(port) ? port - this.range.base : undefined;
  }

  portAt(offset: number): number {
    return this.range.base + offset;
  }

  has(port: number): boolean {
    return this.contains(port) && this.bitmap.has(port - this.range.base);
  }

  used(): number {
    return this.bitmap.count();
  }

  free(): number {
    return this.bitmap.free();
  }

  allocated(): number[] {
    return this.bitmap.allocated().map((i) => this.range.base + i);
  }

  /** Allocate(port): ErrNotInRange or ErrAllocated, or undefined when the port is now taken. */
  allocate(port: number): AllocationError | undefined {
    if (!this.contains(port)) return portNotInRange(this.range);
    return this.bitmap.allocate(port - this.range.base) ? undefined : ERR_PORT_ALLOCATED;
  }

  /** AllocateNext(): the dynamic band first, then the static band; ErrFull when none is left. */
  allocateNext(random: Random): AllocationResult<number> {
    const index = this.bitmap.allocateNext(random);
    return index === undefined ? { ok: false, error: ERR_FULL } : { ok: true, value: this.range.base + index };
  }

  /** Release(port): releasing a free port or one outside the range is a no-op. */
  release(port: number): void {
    if (this.contains(port)) this.bitmap.release(port - this.range.base);
  }
}
