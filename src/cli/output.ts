/** Terminal output: colour only on a TTY and never with NO_COLOR; diagnostics to stderr. */
import { formatDiagnostic, type Diagnostic } from '../diagnostics';

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const codes = { red: 31, yellow: 33, green: 32, cyan: 36, dim: 2, bold: 1, magenta: 35 } as const;
export type Color = keyof typeof codes;

export function paint(text: string, color: Color, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? `\u001b[${codes[color]}m${text}\u001b[0m` : text;
}

export function printDiagnostics(ds: Diagnostic[]): void {
  for (const d of ds) {
    const line = formatDiagnostic(d);
    const color: Color = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'cyan';
    process.stderr.write(paint(line, color, process.stderr) + '\n');
  }
}

/** A plain text table with padded columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}
