// kubectl's human-readable table printer: cli-runtime pkg/printers/tableprinter.go
// (decorateTable, printTable) over the liggitt/tabwriter port, and the "No resources found"
// messages of kubectl pkg/cmd/get/get.go. printTable follows kubectl 1.28-1.34, which cuts cells
// at \f \n \r and escapes terminal characters; the newest tableprinter also pre-pads the header
// to the widest raw cell in bytes, which only widens columns holding such cells or non-ASCII.
import { formatLabels } from './labels.js';
import type { Table, TableCell, TableColumnDefinition, TableRow } from './table.js';
import { newTableTabWriter } from './tabwriter.js';

export interface RenderOptions {
  /** `-o wide`: show columns with priority > 0. */
  wide?: boolean;
  /** `-A` / `--all-namespaces` on a namespaced resource: a leading NAMESPACE column. */
  withNamespace?: boolean;
  /** `--no-headers`. */
  noHeaders?: boolean;
  /** `--show-labels`: a trailing LABELS column. */
  showLabels?: boolean;
  /** `-L key1,key2`: one column per label key, before LABELS. */
  columnLabels?: readonly string[];
}

/** tableprinter.go formatLabelHeaders: the last `/` segment of the key, upper-cased. */
function formatLabelHeader(key: string): string {
  const parts = key.split('/');
  return parts[parts.length - 1]!.toUpperCase();
}

function untypedColumn(name: string): TableColumnDefinition {
  return { name, type: 'string', format: '', description: '', priority: 0 };
}

/** tableprinter.go decorateTable: NAMESPACE first, label columns last, from each row's object. */
export function decorateTable(table: Table, options: RenderOptions): Table {
  const columnLabels = options.columnLabels ?? [];
  const includeLabels = columnLabels.length > 0 || !!options.showLabels;
  if (!includeLabels && !options.withNamespace) return table;

  const columns: TableColumnDefinition[] = [];
  if (options.withNamespace) columns.push(untypedColumn('Namespace'));
  columns.push(...table.columnDefinitions);
  for (const key of columnLabels) columns.push(untypedColumn(formatLabelHeader(key)));
  if (options.showLabels) columns.push(untypedColumn('Labels'));

  const rows = table.rows.map((row): TableRow => {
    const meta = row.object?.metadata;
    if (!meta) {
      // No metadata to read: fill the new columns with empty cells.
      const cells: TableCell[] = options.withNamespace ? [null, ...row.cells] : [...row.cells];
      while (cells.length < columns.length) cells.push(null);
      return { ...row, cells };
    }
    const cells: TableCell[] = options.withNamespace ? [meta.namespace ?? '', ...row.cells] : [...row.cells];
    for (const key of columnLabels) cells.push(meta.labels?.[key] ?? '');
    if (options.showLabels) cells.push(formatLabels(meta.labels));
    return { ...row, cells };
  });
  return { ...table, columnDefinitions: columns, rows };
}

/** fmt.Sprint of a cell as kubectl decodes it from JSON. */
function cellString(cell: TableCell): string {
  if (cell === null) return '';
  return typeof cell === 'string' ? cell : String(cell);
}

/** cli-runtime terminal.go WriteEscaped: neutralise terminal escapes. */
export function escapeTerminal(s: string): string {
  return s.replace(/\x1b/g, '^[').replace(/\r/g, '\\r');
}

/** tableprinter.go printTable: cut at the first \f, \n or \r with `...`; escape the rest. */
function cellText(value: string): string {
  const brk = value.search(/[\f\n\r]/);
  if (brk >= 0) return escapeTerminal(value.slice(0, brk)) + '...';
  return escapeTerminal(value);
}

/**
 * Renders a table exactly as `kubectl get` prints it to stdout. An empty table prints nothing
 * (no header either); pair it with noResourcesFound() for kubectl's stderr message.
 */
export function renderTable(input: Table, options: RenderOptions = {}): string {
  const table = decorateTable(input, options);
  const wide = !!options.wide;
  const cols = table.columnDefinitions;
  const visible = (i: number): boolean => wide || cols[i]!.priority === 0;

  const tw = newTableTabWriter();
  if (!options.noHeaders) {
    // No header either when there are no rows.
    if (table.rows.length === 0) return '';
    const header = cols.filter((_, i) => visible(i)).map((c) => c.name.toUpperCase());
    tw.write(header.join('\t') + '\n');
  }
  for (const row of table.rows) {
    const parts: string[] = [];
    row.cells.forEach((cell, i) => {
      // issue 66379: more cells than columns must not break the printer.
      if (i >= cols.length || !visible(i)) return;
      parts.push(cell === null ? '' : cellText(cellString(cell)));
    });
    tw.write(parts.join('\t') + '\n');
  }
  tw.flush();
  return tw.output();
}

/** The stderr line of `kubectl get` when it printed nothing (get.go, trackingWriter.Written == 0). */
export function noResourcesFound(options: { namespaced: boolean; allNamespaces: boolean; namespace: string }): string {
  if (options.namespaced && !options.allNamespaces) return `No resources found in ${options.namespace} namespace.\n`;
  return 'No resources found\n';
}

/** `kubectl get` as a whole: the table on stdout, or kubectl's message on stderr. */
export function renderGet(
  table: Table,
  options: RenderOptions & { namespaced: boolean; allNamespaces: boolean; namespace: string },
): { stdout: string; stderr: string } {
  const stdout = renderTable(table, options);
  return { stdout, stderr: stdout === '' ? noResourcesFound(options) : '' };
}
