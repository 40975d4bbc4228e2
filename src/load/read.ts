/**
 * Reading a definition file's bytes, with the size limit: the part of loading that needs no YAML
 * parser, so a run whose definitions all come from the result cache (write/result-cache.ts) never
 * loads one (load/each.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics';

export const MAX_FILE_BYTES = 1024 * 1024;

/** A problem with loading a definition file (reading or parsing it), at `pos`. */
export function loadDiagnostic(file: string, pos: { line: number; column: number }, message: string, hint?: string): Diagnostic {
  return { file, line: pos.line, column: pos.column, severity: 'error', check: 'yaml', message, ...(hint ? { hint } : {}) };
}

const TOP = { line: 1, column: 1 };
const diag = (file: string, message: string, hint?: string): Diagnostic => loadDiagnostic(file, TOP, message, hint);

/** The bytes of a definition file, or why it cannot be read (not there, not a file, too large). */
export function readDefinitionBytes(file: string): { bytes: Buffer; diagnostics?: undefined } | { bytes?: undefined; diagnostics: Diagnostic[] } {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { diagnostics: [diag(file, 'is a directory, not a definition file', 'pass one definition file')] };
    if (!st.isFile()) return { diagnostics: [diag(file, 'not a regular file')] };
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : `cannot read file (${code})`;
    return { diagnostics: [diag(file, what)] };
  }
  if (size > MAX_FILE_BYTES) {
    return {
      diagnostics: [
        diag(file, `file is ${size} bytes, larger than the ${MAX_FILE_BYTES}-byte limit for a definition`, 'a migration definition is a few kilobytes; check that this is the right file'),
      ],
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { diagnostics: [diag(file, `cannot read file (${(e as NodeJS.ErrnoException).code})`)] };
  }
  return { bytes };
}
