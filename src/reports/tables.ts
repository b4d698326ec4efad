/** What every report is made of, whatever it counts: keys, tables and cells. */

/** A table cell: a number, words, or words that link to a filtered ticket list. */
export type Cell = string | number | { text: string | number; href: string };

/**
 * One report: the numbers behind a chart, shown as a table beside it and
 * downloadable as CSV. Counts and titles only: never a description or note.
 */
export interface ReportTable {
  key: ReportKey;
  title: string;
  /** One or two sentences saying what is counted, for the chart's description. */
  description: string;
  columns: string[];
  rows: Cell[][];
}

export const REPORT_KEYS = [
  'open-by-age',
  'past-target',
  'created-completed',
  'time-to-complete',
  'first-response',
  'outside-desk',
  'load',
] as const;
export type ReportKey = (typeof REPORT_KEYS)[number];

export function isReportKey(value: unknown): value is ReportKey {
  return typeof value === 'string' && (REPORT_KEYS as readonly string[]).includes(value);
}

/** What a cell says, without its link: for CSV and for charts. */
export function cellText(cell: Cell): string | number {
  return typeof cell === 'object' ? cell.text : cell;
}
