import type { ComponentChildren } from 'preact';
import { Empty } from './states.js';

/** One column: its header and how a row shows in it. */
export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  /** Right-aligned (numbers, money). */
  numeric?: boolean;
}

/** A list as a table with a caption (its accessible name), or `empty` when there are no rows. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
}: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: ComponentChildren;
}) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" class={column.numeric ? 'num' : undefined}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.label} class={column.numeric ? 'num' : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Label/value pairs of one object (a user, a payment). */
export function Details({ items }: { items: [label: string, value: ComponentChildren][] }) {
  return (
    <dl class="details">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
