// Aligned text tables for the terminal and GitHub-flavoured markdown tables. A few lines, written
// here rather than taken from a package: the CLI keeps its dependencies to what it cannot do without.

/** One column: its header, how a row prints in it, and which side it aligns to (numbers: right). */
export interface Column<R> {
  readonly header: string;
  readonly cell: (row: R) => string;
  readonly align?: 'left' | 'right';
}

/** The rows as lines of aligned columns under an upper-case header, each line starting with `indent`. */
export function textTable<R>(columns: readonly Column<R>[], rows: readonly R[], indent = '  '): string[] {
  const cells = [columns.map((c) => c.header.toUpperCase()), ...rows.map((row) => columns.map((c) => c.cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => {
    const padded = line.map((text, i) => (columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)));
    return `${indent}${padded.join('  ')}`.trimEnd();
  });
}

/** The rows as a markdown table: `|` escaped, numbers right-aligned. */
export function markdownTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string[] {
  const line = (texts: readonly string[]) => `| ${texts.map((text) => text.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    line(columns.map((c) => c.header)),
    `|${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => line(columns.map((c) => c.cell(row)))),
  ];
}
