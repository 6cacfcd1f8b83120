import { stringify } from 'csv-stringify/sync';

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage
 * return, which some strip first) as a formula: a guest could write one into
 * a note or a name. The leading apostrophe makes it text (OWASP's CSV-injection
 * advice).
 */
export const neutraliseFormula = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

/**
 * Rows as the CSV every export hands out: RFC 4180 quoting, UTF-8, CRLF line
 * ends, every cell (header too) neutralised, so no export can forget it.
 */
export function csvText(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((r) => r.map(neutraliseFormula)),
    { record_delimiter: 'windows' },
  );
}
