import type { Random } from '../random.js';
import { AllocationBitmap } from './allocation-bitmap.js';
import { ERR_FULL, type AllocationError, type AllocationResult } from './allocation-error.js';
import { cidrContains, formatCIDR, formatIP, parseIP, rangeSize, type CIDR, type IP, type IPFamily } from './ip-range.js';

// pkg/registry/core/service/ipallocator/bitmap.go: the allocator behind one ServiceCIDR
// (--service-cluster-ip-range). Offset 0 of the bitmap is the network address + 1.

/** kubeadm's DefaultServicesSubnet (cmd/kubeadm/app/apis/kubeadm/v1beta4 defaults.go). */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

/** ipallocator.ErrAllocated. */
export const ERR_IP_ALLOCATED: AllocationError = { reason: 'Allocated', message: 'provided IP is already allocated' };

/** ipallocator.ErrNotInRange.Error(). */
export function ipNotInRange(ip: string, cidr: CIDR): AllocationError {
  return {
    reason: 'NotInRange',
    message: `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCIDR(cidr)}`,
  };
}

/**
 * calculateRangeOffset (ipallocator/bitmap.go): min(max(16, cidrSize/16), 256), or 0 when the
 * CIDR has 16 addresses or fewer. cidrSize is RangeSize, uncapped for IPv6.
 */
export function calculateIPRangeOffset(cidr: CIDR): number {
  const min = 16n;
  const max = 256n;
  const step = 16n;
  const size = rangeSize(cidr);
  if (size <= min) return 0;
  const offset = size / step;
  if (offset < min) return Number(min);
  if (offset > max) return Number(max);
  return Number(offset);
}

/** Usable addresses: RangeSize minus the network address and (IPv4) the broadcast; IPv6 capped at 65536 first. */
function usableSize(cidr: CIDR): number {
  let max = rangeSize(cidr);
  if (cidr.family === 'IPv6') {
    if (max > 65536n) max = 65536n;
  } else {
    max -= 1n;
  }
  max -= 1n;
  return max < 0n ? 0 : Number(max);
}

export interface ReadonlyClusterIPAllocator {
  readonly cidr: CIDR;
  readonly family: IPFamily;
  /** Number of usable addresses. */
  readonly max: number;
  /** Size of the static (lower) band. */
  readonly offset: number;
  /** Whether ip is one of the usable addresses of the range. */
  contains(ip: string): boolean;
  has(ip: string): boolean;
  used(): number;
  free(): number;
  /** Allocated addresses in ascending order, canonical text. */
  allocated(): string[];
  /** The bitmap offset of ip, or undefined when it is not one of the usable addresses. */
  offsetOf(ip: string): number | undefined;
  /** The canonical address at a bitmap offset. */
  ipAt(offset: number): string;
}

export class ClusterIPAllocator implements ReadonlyClusterIPAllocator {
  readonly family: IPFamily;
  private readonly base: bigint;

  private constructor(
    readonly cidr: CIDR,
    private readonly bitmap: AllocationBitmap,
  ) {
    this.family = cidr.family;
    this.base = cidr.ip + 1n;
  }

  static forCIDR(cidr: CIDR): ClusterIPAllocator {
    const max = usableSize(cidr);
    return new ClusterIPAllocator(cidr, new AllocationBitmap(max, calculateIPRangeOffset(cidr)));
  }

  get max(): number {
    return this.bitmap.max;
  }

  get offset(): number {
    return this.bitmap.offset;
  }

  clone(): ClusterIPAllocator {
    return new ClusterIPAllocator(this.cidr, this.bitmap.clone());
  }

  /** contains(): the bitmap offset of ip, or undefined for the network/broadcast address or another range. */
  private indexOf(ip: IP): number | undefined {
    if (!cidrContains(this.cidr, ip)) return undefined;
    const offset = ip.value - this.base;
    if (offset < 0n || offset >= BigInt(this.bitmap.max)) return undefined;
    return Number(offset);
  }

  ipAt(offset: number): string {
    return formatIP({ family: this.family, value: this.base + BigInt(offset) });
  }

  offsetOf(ip: string): number | undefined {
    const parsed = parseIP(ip);
    return parsed === undefined ? undefined : this.indexOf(parsed);
  }

  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  has(ip: string): boolean {
    const index = this.offsetOf(ip);
    return index !== undefined && this.bitmap.has(index);
  }

  used(): number {
    return this.bitmap.count();
  }

  free(): number {
    return this.bitmap.free();
  }

  allocated(): string[] {
    return this.bitmap.allocated().map((i) => this.ipAt(i));
  }

  /** Allocate(ip): ErrNotInRange or ErrAllocated, or undefined when ip is now taken. */
  allocate(ip: string): AllocationError | undefined {
    const parsed = parseIP(ip);
    const index = parsed === undefined ? undefined : this.indexOf(parsed);
    if (index === undefined) return ipNotInRange(parsed === undefined ? ip : formatIP(parsed), this.cidr);
    return this.bitmap.allocate(index) ? undefined : ERR_IP_ALLOCATED;
  }

  /** AllocateNext(): the dynamic band first, then the static band; ErrFull when none is left. */
  allocateNext(random: Random): AllocationResult<string> {
    const index = this.bitmap.allocateNext(random);
    return index === undefined ? { ok: false, error: ERR_FULL } : { ok: true, value: this.ipAt(index) };
  }

  /** Release(ip): releasing a free address or one outside the range is a no-op. */
  release(ip: string): void {
    const index = this.offsetOf(ip);
    if (index !== undefined) this.bitmap.release(index);
  }
}
