// printers.go layoutContainerCells: the CONTAINERS and IMAGES cells of workload printers.
import type { Container } from '../api/types.js';

export function layoutContainerCells(containers: readonly Container[] | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return {
    names: list.map((c) => c.name ?? '').join(','),
    images: list.map((c) => c.image ?? '').join(','),
  };
}
