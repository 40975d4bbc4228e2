/** Terminal output: colour only on a TTY and never with NO_COLOR; diagnostics to stderr. */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '../diagnostics';

/*
 * process.stdout is created on first use, and with it Node's stream machinery: about 3 ms of a
 * cold start, a fifth of what separates `migobs validate` from `node -e 0`. The short commands'
 * result lines go through writeOut instead, and the colour question asks fstat first.
 */

/**
 * Whether stdout (or `stream`) is a terminal. A file, pipe or socket is answered by fstat alone,
 * and so is /dev/null (the same device number): output thrown away is where benchmarks and many
 * hooks send it, and asking process.stdout would build the stream only to learn it is no tty.
 */
function isTerminal(stream?: NodeJS.WriteStream): boolean {
  if (stream) return Boolean(stream.isTTY);
  try {
    const out = fstatSync(1);
    if (!out.isCharacterDevice()) return false;
    if (out.rdev === statSync('/dev/null').rdev) return false;
  } catch {
    return false;
  }
  return Boolean(process.stdout.isTTY); // another character device: only a tty can tell
}

/** Colour for stdout (or `stream`): never with NO_COLOR, always with FORCE_COLOR, else on a terminal. */
export function useColor(stream?: NodeJS.WriteStream): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return isTerminal(stream);
}

/** Set once stdout said EAGAIN: from then on everything goes through process.stdout. */
let stdoutQueued = false;

/**
 * Write `text` to stdout without creating process.stdout. A stdout that is non-blocking (EAGAIN: a
 * parent sharing a non-blocking pipe) gets the rest through process.stdout, which waits for the
 * reader; a reader that is gone (EPIPE: `migobs validate x | head -0`) gets nothing more.
 */
export function writeOut(text: string): void {
  if (stdoutQueued) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') {
      // From here on everything goes through the stream, behind what it holds: lines stay in order.
      stdoutQueued = true;
      process.stdout.write(bytes.subarray(done));
    } else if (code !== 'EPIPE') throw e;
  }
}

const codes = { red: 31, yellow: 33, green: 32, cyan: 36, dim: 2, bold: 1, magenta: 35 } as const;
export type Color = keyof typeof codes;

export function paint(text: string, color: Color, stream?: NodeJS.WriteStream): string {
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
