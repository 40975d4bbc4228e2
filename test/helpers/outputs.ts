/** Generated output in tests: written to a folder in the real layout (names.ts FILES), or looked up by path. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OutputFile } from '../../src/generate/index';

/** Write files (paths relative to `dir`, as generate returns them) without the write stage's machinery. */
export function writeTree(dir: string, files: readonly OutputFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/** The content of the file at `path`; throws when it is not among `files`. */
export function contentOf(files: readonly OutputFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no generated file ${path} among ${files.map((x) => x.path).join(', ')}`);
  return f.content;
}

/** Every file under `dir`, relative, with forward slashes; none when it does not exist. */
export function listFiles(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
}

/** Every file under `dir` (relative path -> UTF-8 text); empty when it does not exist. */
export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
