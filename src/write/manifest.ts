/**
 * `<out>/.migobs-manifest.json`: the files migobs wrote in the output folder. `generate` deletes a
 * file only when the previous manifest lists it, it follows migobs' own naming (names.ts
 * isGeneratedPath) and the current run no longer produces it: files a person put anywhere in the
 * output folder are never flagged or deleted. Deterministic (no time, no version), so it is
 * committed with the output and `--check` compares it like any other file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGeneratedPath, OUT_META } from '../generate/names';
import { toJson } from '../render/serialize';
import { lstatOrUndefined } from './atomic';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export function renderManifest(paths: Iterable<string>): string {
  return toJson({
    about: 'Written by `migobs generate`: the files it owns in this folder. It deletes only these, when their migration is no longer generated. Do not edit.',
    manifestVersion: 1,
    files: [...new Set(paths)].sort(),
  });
}

export interface ManifestRead {
  /** Listed files that migobs could have written (the only ones it will ever delete). */
  files: string[];
  /** Why the manifest could not be used (then `files` is empty), or which entries were ignored. */
  problem?: string;
}

/** The manifest of an output folder; undefined when there is none. Never follows a link. */
export function readManifest(outDir: string): ManifestRead | undefined {
  const path = join(outDir, OUT_META.manifest);
  const st = lstatOrUndefined(path);
  if (!st) return undefined;
  if (!st.isFile()) return { files: [], problem: `${path} is not a regular file; ignored` };
  if (st.size > MAX_MANIFEST_BYTES) return { files: [], problem: `${path} is larger than ${MAX_MANIFEST_BYTES} bytes; ignored` };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { files: [], problem: `${path} is not valid JSON; ignored` };
  }
  const list = (data as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) return { files: [], problem: `${path} has no \`files\` list; ignored` };
  const files = list.filter((f): f is string => typeof f === 'string' && isGeneratedPath(f));
  const ignored = list.length - files.length;
  return { files: [...new Set(files)].sort(), ...(ignored ? { problem: `${path}: ${ignored} entr${ignored === 1 ? 'y is' : 'ies are'} not a path migobs writes; ignored` } : {}) };
}
