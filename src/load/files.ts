/**
 * Command-line inputs to definition files: a directory stands for the `*.yaml` and `*.yml` files
 * directly in it (not in subfolders, no hidden files, sorted by name), like the shell glob
 * `dir/*.yaml dir/*.yml` would give but the same on every shell and platform.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics';

const DEFINITION_FILE = /^[^.].*\.ya?ml$/;

export function expandInputs(inputs: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    const key = resolve(f);
    if (seen.has(key)) return; // `migobs validate migrations migrations/a.yaml` reads a.yaml once
    seen.add(key);
    files.push(f);
  };
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      // loadFile reports a missing or unreadable file
    }
    if (!isDir) {
      add(input);
      continue;
    }
    const names = readdirSync(input)
      .filter((n) => DEFINITION_FILE.test(n) && isFile(join(input, n)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) {
      diagnostics.push({
        file: input,
        line: 1,
        column: 1,
        severity: 'error',
        check: 'inputs',
        message: 'directory holds no *.yaml or *.yml files',
        hint: 'migobs reads the definitions directly in a directory, not in its subfolders; pass definition files or the folder that holds them',
      });
    }
    for (const n of names) add(join(input, n));
  }
  return { files, diagnostics };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
