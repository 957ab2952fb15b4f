/** Every list the dashboard shows: a query's page as a table, with the loading, "No data yet" and
 * error states, from column definitions (header, cell, numeric alignment). */

import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Page } from "../api";
import { Loaded } from "./ui";

export interface Column<T> {
  /** The header; `null` for a column of row actions (its header is read to screen readers only). */
  header: string | null;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
  className?: string;
}

export function DataTable<T>({
  rows,
  columns,
  rowKey,
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
}) {
  return (
    <table>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th
              key={column.header ?? `actions-${index}`}
              scope="col"
              className={column.numeric ? "num" : undefined}
            >
              {column.header ?? <span className="visually-hidden">Actions</span>}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((column, index) => (
              <td
                key={column.header ?? `actions-${index}`}
                className={column.numeric ? "num" : column.header === null ? "row-actions" : column.className}
              >
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A list query as a table (or its loading, empty or error state); `only` filters the page's items. */
export function ListTable<T>({
  query,
  columns,
  rowKey,
  only,
}: {
  query: UseQueryResult<Page<T>>;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  only?: (row: T) => boolean;
}) {
  const shown = (page: Page<T>) => (only ? page.items.filter(only) : page.items);
  return (
    <Loaded query={query} empty={(page) => shown(page).length === 0}>
      {(page) => <DataTable rows={shown(page)} columns={columns} rowKey={rowKey} />}
    </Loaded>
  );
}
