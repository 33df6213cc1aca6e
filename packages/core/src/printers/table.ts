// The metav1.Table model (apimachinery pkg/apis/meta/v1/types.go Table, TableColumnDefinition,
// TableRow), field for field and JSON-shaped, so the api-store can serve it for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` and kubemu's CLI can render it.
import type { KubeObject } from '../api/types.js';
import type { Instant } from './duration.js';

export interface TableColumnDefinition {
  /** Human-readable name; kubectl prints it upper-cased as the header. */
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** OpenAPI format; `name` marks the column holding the object name. */
  format: string;
  description: string;
  /** 0: always shown; 1 and above: only with `-o wide`. */
  priority: number;
}

/** A cell as JSON carries it; kubectl prints it with fmt.Sprint. */
export type TableCell = string | number | boolean | null;

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** The object the row was made from (the server may send it whole or as metadata only). */
  object?: KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** printers.GenerateOptions. */
export interface GenerateOptions {
  now: Instant;
  /**
   * Include priority>0 cells. kube-apiserver always generates tables with Wide: true
   * (pkg/printers/storage/storage.go ConvertToTable) and kubectl hides wide columns itself,
   * so this defaults to true wherever a table is built for the API.
   */
  wide: boolean;
}

/** A kind's printer, as one `h.TableHandler(columns, printX)` registration in printers.go. */
export interface KindPrinter<T extends KubeObject> {
  columns: readonly TableColumnDefinition[];
  printRow(obj: T, options: GenerateOptions): TableRow;
}

export function column(
  name: string,
  description: string,
  extra: { type?: string; format?: string; priority?: number } = {},
): TableColumnDefinition {
  return {
    name,
    type: extra.type ?? 'string',
    format: extra.format ?? '',
    description,
    priority: extra.priority ?? 0,
  };
}

// Descriptions that printers.go takes from metav1.ObjectMeta{}.SwaggerDoc().
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn = (): TableColumnDefinition => column('Name', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = (): TableColumnDefinition => column('Age', AGE_DESCRIPTION);

/** tablegenerator.go GenerateTable: run the printer per object; drop wide columns unless wide. */
export function generateTable<T extends KubeObject>(
  printer: KindPrinter<T>,
  objects: readonly T[],
  options: GenerateOptions,
  resourceVersion?: string,
): Table {
  const columnDefinitions = options.wide
    ? [...printer.columns]
    : printer.columns.filter((c) => c.priority === 0);
  const rows = objects.map((o) => {
    const row = printer.printRow(o, options);
    if (row.cells.length !== columnDefinitions.length) {
      throw new Error(
        `printer for ${o.kind ?? 'object'}: row has ${row.cells.length} cells, table has ${columnDefinitions.length} columns`,
      );
    }
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion === undefined ? {} : { resourceVersion },
    columnDefinitions,
    rows,
  };
}
