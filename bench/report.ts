// Console output shared by the benchmark scripts.

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join("  ");
  console.log(format(header));
  for (const row of rows) {
    console.log(format(row));
  }
}

// /proc/<pid>/status counts in kibibytes ("kB"); the goals are in megabytes (10^6 bytes).
export function megabytesOf(kibibytes: number): number {
  return (kibibytes * 1024) / 1e6;
}

export function formatMegabytes(kibibytes: number): string {
  return `${megabytesOf(kibibytes).toFixed(1)} MB`;
}

export function positiveInteger(value: string | undefined, option: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new Error(`${option} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  }
  return number;
}
