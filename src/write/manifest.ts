/**
 * `<out>/.migobs-manifest.json`: the files migobs wrote in the output folder. `generate` deletes a
 * file only when the previous manifest lists it, it follows migobs' own naming (names.ts
 * isGeneratedPath) and the current run no longer produces it: files a person put anywhere in the
 * output folder are never flagged or deleted. Deterministic (no time), so it is committed with the
 * output and `--check` compares it like any other file.
 *
 * Version 2 adds what incremental generation needs (docs/incremental.md): `hashes`, the SHA-256 of
 * each listed file's bytes, and `inputs`, per migration the SHA-256 of everything its files derive
 * from (the resolved definition, config, flavours and migobs version; hash.ts). A version 1
 * manifest (only `files`) is still read: its migrations are simply regenerated once. Readers of
 * version 1 looked at `files` only, so they keep working on a version 2 manifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGeneratedPath, OUT_META } from '../generate/names';
import { toJson } from '../render/serialize';
import { lstatOrUndefined } from './atomic';

/** Room for thousands of migrations with every flavour (about 250 bytes per file). */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
const HASH = /^[0-9a-f]{64}$/;

export interface ManifestHashes {
  /** Output path -> SHA-256 (hex) of its bytes. */
  hashes: ReadonlyMap<string, string>;
  /** Migration id -> SHA-256 (hex) of its inputs (hash.ts inputHash). */
  inputs: ReadonlyMap<string, string>;
}

const sortedObject = (m: ReadonlyMap<string, string>, keep: (k: string) => boolean): Record<string, string> =>
  Object.fromEntries([...m].filter(([k]) => keep(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The manifest text for these files; with `meta`, the hashes of the listed files and the inputs of their migrations. */
export function renderManifest(paths: Iterable<string>, meta?: ManifestHashes): string {
  const files = [...new Set(paths)].sort();
  const listed = new Set(files);
  return toJson({
    about: 'Written by `migobs generate`: the files it owns in this folder (it deletes only these, when their migration is no longer generated) and their hashes (a file whose hash is current is not generated again). Do not edit.',
    manifestVersion: meta ? 2 : 1,
    files,
    ...(meta ? { hashes: sortedObject(meta.hashes, (p) => listed.has(p)), inputs: sortedObject(meta.inputs, () => true) } : {}),
  });
}

export interface ManifestRead extends ManifestHashes {
  /** Listed files that migobs could have written (the only ones it will ever delete). */
  files: string[];
  /** Why the manifest could not be used (then `files` is empty), or which entries were ignored. */
  problem?: string;
}

const EMPTY = (problem: string): ManifestRead => ({ files: [], hashes: new Map(), inputs: new Map(), problem });

/** String entries of an object whose key passes `key` and whose value is a SHA-256 hex; anything else is ignored. */
function hashEntries(value: unknown, key: (k: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (key(k) && typeof v === 'string' && HASH.test(v)) out.set(k, v);
  return out;
}

/** The manifest of an output folder; undefined when there is none. Never follows a link. */
export function readManifest(outDir: string): ManifestRead | undefined {
  const path = join(outDir, OUT_META.manifest);
  const st = lstatOrUndefined(path);
  if (!st) return undefined;
  if (!st.isFile()) return EMPTY(`${path} is not a regular file; ignored`);
  if (st.size > MAX_MANIFEST_BYTES) return EMPTY(`${path} is larger than ${MAX_MANIFEST_BYTES} bytes; ignored`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return EMPTY(`${path} is not valid JSON; ignored`);
  }
  const list = (data as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) return EMPTY(`${path} has no \`files\` list; ignored`);
  const files = [...new Set(list.filter((f): f is string => typeof f === 'string' && isGeneratedPath(f)))].sort();
  const ignored = list.length - list.filter((f) => typeof f === 'string' && isGeneratedPath(f)).length;
  const listed = new Set(files);
  // Hashes are only a shortcut: a missing or malformed one just means that file's migration is generated again.
  const { hashes, inputs } = data as { hashes?: unknown; inputs?: unknown };
  return {
    files,
    hashes: hashEntries(hashes, (p) => listed.has(p)),
    inputs: hashEntries(inputs, () => true),
    ...(ignored ? { problem: `${path}: ${ignored} entr${ignored === 1 ? 'y is' : 'ies are'} not a path migobs writes; ignored` } : {}),
  };
}
