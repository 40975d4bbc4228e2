/**
 * The result cache (docs/incremental.md#the-result-cache): what checking and linting one
 * definition file produced, kept on disk so a run over definitions that did not change does not
 * parse, validate, resolve and lint them again. The common case it serves is a pre-commit hook or
 * CI job over hundreds of definitions of which one changed.
 *
 * Content-addressed: an entry's name is the SHA-256 of everything its result derives from (this
 * very build of migobs, the config, the definition's path and bytes, and for lint the committed
 * files' hashes; the callers build the key), so an entry is never stale, only unused. A missing,
 * damaged or foreign entry is a miss, and a folder that cannot be written means no cache: the
 * cache can make a run faster, never different. Writes are a temp file renamed into place, so
 * parallel runs never read half an entry.
 *
 * Where: $MIGOBS_CACHE_DIR, else `node_modules/.cache/migobs` in the working folder when it has a
 * node_modules folder (where npm-installed tools keep caches), else $XDG_CACHE_HOME/migobs/results
 * (~/.cache/migobs/results). Entries of one build live in one sub-folder; folders of other builds
 * not used for a week are removed. MIGOBS_NO_CACHE=1 turns the cache off; MIGOBS_CACHE_DEBUG=1
 * prints each hit, miss and write on stderr.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from './hash';

declare const MIGOBS_BUILD_ID: string;
/**
 * A hash of the sources, presets and locked dependencies this bundle was built from (set by
 * scripts/build.mjs). Undefined when running from source (tests, library use): then there is no
 * cache, since a code change without a version bump must never meet an old result.
 */
export const BUILD_ID: string | undefined = typeof MIGOBS_BUILD_ID === 'string' ? MIGOBS_BUILD_ID : undefined;

const FORMAT = 1;
/** Larger results are simply not cached (a definition's resolved model is about 20 KB). */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
/** Folders of other builds untouched this long are removed when this build writes its first entry. */
const OTHER_BUILD_TTL_MS = 7 * 24 * 3600 * 1000;

export interface ResultCache {
  /** The key of a result derived from `parts` (JSON) and this build. */
  key(parts: unknown): string;
  /** The value stored under `key`, or undefined. */
  get(key: string, what: string): unknown;
  /** Store `value` (JSON) under `key`; failures are ignored. */
  put(key: string, value: unknown, what: string): void;
}

/** The key of a result: the SHA-256 of this build and the parts it derives from (JSON). */
export function resultKey(build: string, parts: unknown): string {
  return sha256(JSON.stringify({ format: FORMAT, build, parts }));
}

/** The folder the cache lives in for this environment (before the per-build sub-folder). */
export function cacheRoot(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.MIGOBS_CACHE_DIR) return env.MIGOBS_CACHE_DIR;
  try {
    if (statSync(join(cwd, 'node_modules')).isDirectory()) return join(cwd, 'node_modules', '.cache', 'migobs');
  } catch {
    // no node_modules here: the user cache folder
  }
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'migobs', 'results');
}

/** The cache of this run, or undefined when it is off (MIGOBS_NO_CACHE=1) or migobs runs from source. */
export function openResultCache(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd(), build: string | undefined = BUILD_ID): ResultCache | undefined {
  if (build === undefined || env.MIGOBS_NO_CACHE === '1') return undefined;
  return new DiskCache(cacheRoot(env, cwd), build, env.MIGOBS_CACHE_DEBUG === '1' ? (m) => process.stderr.write(`migobs cache: ${m}\n`) : () => undefined);
}

class DiskCache implements ResultCache {
  private readonly dir: string;
  private unwritable = false;
  private pruned = false;
  private counter = 0;

  constructor(
    private readonly root: string,
    private readonly build: string,
    private readonly debug: (message: string) => void,
  ) {
    this.dir = join(root, build.slice(0, 16));
  }

  key(parts: unknown): string {
    return resultKey(this.build, parts);
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string, what: string): unknown {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch {
      this.debug(`miss ${what}`);
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { format?: unknown; key?: unknown; value?: unknown };
      // The entry must say it is this key's: a file renamed or copied by hand is not trusted.
      if (entry.format === FORMAT && entry.key === key && entry.value !== undefined) {
        this.debug(`hit ${what}`);
        return entry.value;
      }
    } catch {
      // damaged (a crash during a write, a full disk): a miss, and the next put replaces it
    }
    this.debug(`damaged ${what}`);
    return undefined;
  }

  put(key: string, value: unknown, what: string): void {
    if (this.unwritable) return;
    const text = JSON.stringify({ format: FORMAT, key, value });
    if (text.length > MAX_ENTRY_BYTES) return;
    const file = this.path(key);
    const tmp = `${file}.${process.pid}-${(this.counter++).toString(36)}.tmp`;
    try {
      mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, file);
      this.debug(`stored ${what}`);
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // the folder is not there or not a folder: nothing was left behind
      }
      this.unwritable = true;
      this.debug(`not writable (${(e as NodeJS.ErrnoException).code ?? String(e)}): ${this.dir}; running without a cache`);
      return;
    }
    if (!this.pruned) this.pruneOtherBuilds();
  }

  /** Remove the folders of other builds (an upgrade, a rebuild) that no run used for a week. */
  private pruneOtherBuilds(): void {
    this.pruned = true;
    const mine = this.build.slice(0, 16);
    try {
      for (const name of readdirSync(this.root)) {
        if (name === mine || !/^[0-9a-f]{16}$/.test(name)) continue;
        const folder = join(this.root, name);
        if (Date.now() - statSync(folder).mtimeMs > OTHER_BUILD_TTL_MS) rmSync(folder, { recursive: true, force: true });
      }
    } catch {
      // pruning is housekeeping only
    }
  }
}

/**
 * Whether `value` survives JSON unchanged (plain objects and arrays of strings, finite numbers,
 * booleans and null; no undefined properties, -0, Map, class instances): only such results are
 * cached, so a result read back is exactly the one computed.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) {
    if (k === '__proto__' || !isPlainJson((value as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}
