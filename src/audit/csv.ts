/**
 * CSV for spreadsheets. A cell starting with = + - @ (or tab or carriage return)
 * would run as a formula when the file is opened, and audit rows carry text
 * people typed (names, usernames), so such cells get a leading ' (OWASP "CSV
 * Injection"). Every cell is quoted.
 */
export function csvCell(value: unknown): string {
  let cell = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return `"${cell.replaceAll('"', '""')}"`;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
