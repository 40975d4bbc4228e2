'use strict';
/*
 * V8 code cache for the CLI bundles under dist/ (Node 20 has no module.enableCompileCache).
 *
 * Compiling a 0.5 MB minified bundle costs tens of milliseconds of a cold start, every time
 * `migobs` runs in a pre-commit hook. Here every `.js` file under dist/ that the CLI requires
 * (dist/cli.js, dist/commands/*.js, dist/vendor/*.js and whatever other bundle a command requires)
 * is compiled through `vm.Script` with the bytes V8 produced on an earlier run (`cachedData`), and
 * after the command ran, `script.createCachedData()` (which then includes every function the run
 * compiled) is written for the next run.
 *
 * Cache files: dist/.code-cache/<path under dist>.cache, else (dist not writable: an installed,
 * read-only package) $XDG_CACHE_HOME/migobs/code-cache/<dist id>/..., else nothing is cached.
 * Each file is a header line (format, the node version and platform, and the bundle's size, mtime,
 * ctime and inode: a rebuilt or replaced bundle never matches an old cache, even one of the same
 * length, which is all V8 itself checks of the source), a CRC-32 and length of the data, then
 * V8's data. A missing, stale, truncated or corrupt cache, or one V8 rejects (other V8 version or
 * flags), only means a plain compile and a rewrite; it never changes what the CLI does. Writes go
 * to a temp file renamed into place, so parallel runs (a pre-commit hook runs several) never see
 * half a file: the last rename wins and every version is whole.
 *
 * MIGOBS_NO_CODE_CACHE=1 turns it off; MIGOBS_CODE_CACHE_DEBUG=1 prints one line per bundle
 * (hit, miss, stale, corrupt, rejected, written, unwritable) on stderr.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const FORMAT = 'migobs-code-cache/1';
/** Cache kinds (in each file's header): made by the build (compiling only), by a run that exited 0, by one that did not. */
const PRIME = 'load';
const RUN = 'run';
const RUN_FAILED = 'run-failed';
/** Under dist/: for each command, node's modules its bundle loads as it starts (preloadBuiltins). */
const BUILTINS_FILE = 'builtins.json';
/** Set on `process` by src/cli/jit.ts (its FLAGS_CHANGED) when it changed V8's flags during the run. */
const FLAGS_CHANGED = Symbol.for('migobs.v8FlagsChanged');
const DIR = '.code-cache';

function debugLog(line) {
  if (process.env.MIGOBS_CODE_CACHE_DEBUG === '1') process.stderr.write(`code-cache: ${line}\n`);
}

let crcImpl;
/**
 * CRC-32 of the cache data: V8 release builds do not verify a code cache's checksum, and data
 * damaged on disk must be refused before V8 reads it. zlib's native crc32, from the binding when
 * it can be had without a deprecation warning: loading the zlib module would cost ~6 ms a start.
 */
function crc32(buf) {
  if (!crcImpl) {
    let binding;
    const pending = process.execArgv.includes('--pending-deprecation') || /--pending-deprecation/.test(process.env.NODE_OPTIONS || '');
    try { if (!pending) binding = process.binding('zlib'); } catch { binding = undefined; }
    crcImpl = binding && typeof binding.crc32 === 'function' ? (b) => binding.crc32(b, 0) : (b) => require('node:zlib').crc32(b);
  }
  return crcImpl(buf) >>> 0;
}

/** A short stable id of a string (FNV-1a), for folder names. */
function shortId(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** What a cache must have been made for: this node, and this very bundle file. */
function keyOf(stat) {
  return [FORMAT, process.version, process.arch, process.platform, stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino].join(' ');
}

function userCacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache');
  return path.join(base, 'migobs', 'code-cache');
}

/**
 * V8's tag for what code compiled now depends on (its version, flags and CPU features:
 * v8.cachedDataVersionTag), as hex. V8 refuses a cache made under another tag, so each tag keeps
 * its own file: a run with NODE_OPTIONS=--max-old-space-size=4096 and one without would otherwise
 * reject and rewrite each other's cache (a CI job and a pre-commit hook taking turns). Asked each
 * time: src/cli/jit.ts may change the flags before a later bundle loads.
 */
function flagsTag() {
  const binding = v8Binding();
  const tag = binding && typeof binding.cachedDataVersionTag === 'function' ? binding.cachedDataVersionTag() : require('node:v8').cachedDataVersionTag();
  return (tag >>> 0).toString(16).padStart(8, '0');
}

/** Where the cache of `file` (a bundle under `dist`) may live, in the order tried (the second only computed when needed). */
function* cachePaths(dist, file) {
  const name = `${path.relative(dist, file)}.${flagsTag()}.cache`;
  yield path.join(dist, DIR, name);
  // One folder per installed copy of the package (its dist path), so two installs never share.
  yield path.join(userCacheRoot(), shortId(dist), name);
}

/**
 * Parse a cache file: `<key>\n<crc32 hex> <length>\n<data>`. Returns the data when the header
 * matches `key` and the data is whole, else a reason.
 */
function parseCache(buf, key) {
  const nl1 = buf.indexOf(10);
  const nl2 = nl1 < 0 ? -1 : buf.indexOf(10, nl1 + 1);
  if (nl2 < 0) return { reason: 'corrupt' };
  const header = buf.toString('utf8', 0, nl1);
  if (!header.startsWith(`${FORMAT} `)) return { reason: 'corrupt' };
  const [kind, ...rest] = header.slice(FORMAT.length + 1).split(' ');
  if (`${FORMAT} ${rest.join(' ')}` !== key) return { reason: 'stale' };
  const [crcHex, lenText] = buf.toString('latin1', nl1 + 1, nl2).split(' ');
  const data = buf.subarray(nl2 + 1);
  if (String(data.length) !== lenText || crc32(data).toString(16) !== crcHex) return { reason: 'corrupt' };
  return { data, kind };
}

function formatCache(key, kind, data) {
  const header = `${FORMAT} ${kind} ${key.slice(FORMAT.length + 1)}\n${crc32(data).toString(16)} ${data.length}\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), data]);
}

/** Write atomically (temp file + rename); false when this location is not writable. */
function writeAtomic(file, bytes) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try { fs.unlinkSync(tmp); } catch { /* never created */ }
    return false;
  }
}

/**
 * One buffer for every read of this module (reads are synchronous, so they never overlap): a
 * bundle's source is decoded out of it before its cache is read into it, and the next bundle
 * reuses it. Fresh memory costs a page fault per 4 KiB the first time it is touched: a first-time
 * `generate` read its three bundles and their caches (about 1.6 MB) into pages it never touched
 * again. Made big enough for every bundle at once; pages it never touches cost nothing.
 */
let sharedBuffer;
const SHARED_MIN = 2 * 1024 * 1024;
function shared(size) {
  if (!sharedBuffer || sharedBuffer.length < size) sharedBuffer = Buffer.allocUnsafe(Math.max(size, SHARED_MIN));
  return sharedBuffer;
}

/** Up to `size` bytes of `file` into `buf` from offset `at`; returns how many were read. */
function readInto(file, buf, at, size) {
  const fd = fs.openSync(file, 'r');
  try {
    let read = 0;
    for (let n; read < size && (n = fs.readSync(fd, buf, at + read, size - read, read)) > 0; ) read += n;
    return read;
  } finally {
    fs.closeSync(fd);
  }
}

/** The bytes of `file` in the shared buffer: valid until the next read of this module. */
function readShared(file) {
  const size = fs.statSync(file).size;
  const buf = shared(size);
  // Shorter than its size said (truncated meanwhile): parseCache's length check refuses it.
  return buf.subarray(0, readInto(file, buf, 0, size));
}

/** `file`'s cache (its data in the shared buffer: use it before the next read), or why there is none. */
function readCache(dist, file, key) {
  let worst;
  for (const p of cachePaths(dist, file)) {
    let buf;
    try { buf = readShared(p); } catch { continue; }
    const r = parseCache(buf, key);
    if (r.data) return { ...r, path: p };
    worst = r.reason;
  }
  return { reason: worst ?? 'miss' };
}

function writeCache(dist, file, key, kind, data) {
  const bytes = formatCache(key, kind, data);
  for (const p of cachePaths(dist, file)) {
    if (writeAtomic(p, bytes)) return p;
  }
  return undefined;
}

/** `require` for a module compiled here, as Node builds it for its own modules. */
function makeRequire(mod) {
  const req = function require(id) {
    return mod.require(id);
  };
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  req.main = process.mainModule;
  req.cache = Module._cache;
  req.extensions = Module._extensions;
  return req;
}

/** Node's CommonJS wrapper, the text before and after a module's source. */
const [WRAP_HEAD_TEXT, WRAP_TAIL_TEXT] = Module.wrap('\u0000').split('\u0000');
const WRAP_HEAD = Buffer.from(WRAP_HEAD_TEXT, 'utf8');
const WRAP_TAIL = Buffer.from(WRAP_TAIL_TEXT, 'utf8');

const scriptOptions = (filename, cachedData) => ({
  filename,
  // Columns on the first line as in the file (the wrapper text is not the bundle's): stack traces
  // point where a plain require's would.
  columnOffset: -WRAP_HEAD_TEXT.length,
  ...(cachedData ? { cachedData } : {}),
  ...(vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
});

/**
 * `file`'s source as node wraps a CommonJS module, read into the shared buffer with the wrapper
 * around it and decoded once. Wrapping the text instead made two strings of the whole bundle (the
 * source, then the flat copy V8 compiles), half a megabyte each of young-generation garbage at
 * every start.
 */
function readWrapped(file, size) {
  const total = WRAP_HEAD.length + size + WRAP_TAIL.length;
  const buf = shared(total);
  WRAP_HEAD.copy(buf, 0);
  // Changed since it was stat'ed (a rebuild under way): the caller compiles it plainly.
  if (readInto(file, buf, WRAP_HEAD.length, size) !== size) throw new Error('the bundle changed while it was read');
  WRAP_TAIL.copy(buf, WRAP_HEAD.length + size);
  // A byte-order mark (esbuild writes none) decodes to U+FEFF, which JavaScript reads as a space
  // (node strips it; both count it as a column).
  return buf.toString('utf8', 0, total);
}

/** Compile `file`'s source wrapped as a CommonJS module, with its cache when one fits. */
function compile(dist, file) {
  const stat = fs.statSync(file);
  const key = keyOf(stat);
  // The source first: it is a string once read, so its cache can go into the same buffer.
  const source = readWrapped(file, stat.size);
  const cached = readCache(dist, file, key);
  const script = new vm.Script(source, scriptOptions(file, cached.data));
  let state = cached.data ? (script.cachedDataRejected ? 'rejected' : 'hit') : cached.reason;
  // A cache made at build time holds only what compiling compiled, one made by a run that failed
  // only what that run compiled on the way to its error: a run that succeeds replaces either.
  if (state === 'hit' && cached.kind !== RUN) state = 'hit-partial';
  return { script, key, state, kind: cached.kind };
}

/**
 * Route every `.js` file under `dist` through the code cache, for this process. Returns the
 * function to call instead of `require` for the entry bundle (plain `require` works too).
 */
function install(dist) {
  if (process.env.MIGOBS_NO_CODE_CACHE === '1') return;
  let root;
  try { root = fs.realpathSync(dist); } catch { return; }
  const prefix = root + path.sep;
  const plain = Module._extensions['.js'];
  const pending = [];
  Module._extensions['.js'] = function (mod, filename) {
    if (!filename.startsWith(prefix) || filename.startsWith(path.join(root, DIR) + path.sep)) return plain.call(this, mod, filename);
    let compiled;
    try {
      compiled = compile(root, filename);
    } catch (e) {
      // Any trouble with the cache (not with the bundle's own code, which has not run yet): plain require.
      debugLog(`${path.relative(root, filename)}: ${e && e.message}; plain compile`);
      return plain.call(this, mod, filename);
    }
    const rel = path.relative(root, filename);
    debugLog(`${rel}: ${compiled.state}`);
    if (compiled.state !== 'hit') pending.push({ filename, rel, ...compiled });
    const fn = compiled.script.runInThisContext({ displayErrors: true });
    const dirname = path.dirname(filename);
    return Reflect.apply(fn, mod.exports, [mod.exports, makeRequire(mod), mod, filename, dirname]);
  };
  // After the command ran, the script's cache includes every function it compiled.
  process.once('exit', (code) => {
    // The CLI turned TurboFan back on during the run (src/cli/jit.ts): a cache written now would be
    // stamped with flags no run starts with, so every later run would refuse it.
    if (process[FLAGS_CHANGED]) {
      for (const p of pending) debugLog(`${p.rel}: not written (V8 flags changed during the run)`);
      return;
    }
    // A run that exited 0 makes a `run` cache. One that did not may have stopped at an error (a typo
    // in a definition) and compiled only the way there: had its cache counted as whole, every later
    // run would use it and compile the rest again each time (a first-time `generate` with such a
    // generate.js cache ran about 7 % more instructions). So it is kept as `run-failed`, better
    // than nothing, and the next run that exits 0 replaces it; a failing run does not replace one
    // (`gate` answering pause run after run would rewrite it every time).
    const kind = code === 0 ? RUN : RUN_FAILED;
    for (const p of pending) {
      if (kind === RUN_FAILED && p.kind === RUN_FAILED) {
        debugLog(`${p.rel}: not written (the run exited ${code}; the cache of an earlier such run stays)`);
        continue;
      }
      try {
        const where = writeCache(root, p.filename, p.key, kind, p.script.createCachedData());
        debugLog(`${p.rel}: ${where ? `written ${where}${kind === RUN_FAILED ? ` (${RUN_FAILED}: the run exited ${code})` : ''}` : 'unwritable'}`);
      } catch (e) {
        debugLog(`${p.rel}: not written (${e && e.message})`);
      }
    }
  });
}

/**
 * The young generation of a short run: it keeps the size it starts with (1 MiB semi-spaces), and is
 * scavenged on the main thread.
 * - `--semi-space-growth-factor=1`: by default V8 doubles the semi-spaces, up to 16 MiB each,
 *   whenever many objects survive a scavenge, as they do while a command loads. Each page of the
 *   bigger nursery costs a page fault the first time it is touched, and a run of under a few
 *   seconds ends before the rarer scavenges pay that back.
 * - `--no-parallel-scavenge`: a scavenge of so small a nursery takes well under a millisecond, less
 *   than handing it to V8's helper threads and waiting for them.
 *
 * Measured, interleaved, on 2 cores: a first-time `generate` of the example 10 % less CPU with the
 * first (37 scavenges instead of 12, about the same GC time, 8 MiB less peak RSS) and about 3 % less
 * again with the second; 100 gates 12 % less, then 20 % less again; 100 definitions in the worker
 * pool 18 % less with the first. V8 reads both each time it scavenges, so src/cli/jit.ts can give
 * long work V8's defaults back. Later V8 versions hold the growth factor at 2 or more: there the
 * first flag changes nothing (no warning either), and the second still applies.
 */
const SHORT_RUN_GC = '--semi-space-growth-factor=1 --no-parallel-scavenge';

/**
 * The V8 flags every CLI run starts with, set before any bundle is compiled (and so the flags every
 * cache is made under): no TurboFan, whose background recompiles cost a run of under a second more
 * CPU than they save, and the young generation of a short run (SHORT_RUN_GC). src/cli/jit.ts
 * gives long work V8's defaults back. MIGOBS_TURBOFAN=1 keeps TurboFan.
 */
function useCliFlags() {
  setV8Flags(process.env.MIGOBS_TURBOFAN === '1' ? SHORT_RUN_GC : `--no-turbofan ${SHORT_RUN_GC}`);
}

/**
 * Node's own modules that `command`'s bundle loads as it starts (dist/builtins.json, recorded by
 * scripts/build.mjs), loaded now, before useCliFlags. Node compiles its modules from a code cache
 * built into node, made under V8's default flags; once useCliFlags has changed flags V8 hashes
 * into that check (--no-turbofan, the young generation's growth), V8 refuses it and each module
 * loaded later is compiled from source: `generate`'s node:crypto and streams took about 14 ms
 * instead of 7, `gate`'s http, tls and net about twice as long too. A missing or unreadable list
 * (a build without it, another command, an option first) only means no preload.
 */
function preloadBuiltins(dist, command) {
  let names;
  try {
    const all = JSON.parse(fs.readFileSync(path.join(dist, BUILTINS_FILE), 'utf8'));
    names = Object.hasOwn(all, command) ? all[command] : undefined;
  } catch {
    return;
  }
  if (!Array.isArray(names)) return;
  for (const name of names) {
    try {
      if (typeof name === 'string') require(`node:${name}`);
    } catch {
      // A module this node does not have: the bundle will say so itself when it needs it.
    }
  }
}

/** V8's own defaults for the flags useCliFlags changes (src/cli/jit.ts LONG_WORK_FLAGS says the same). */
const V8_DEFAULT_FLAGS = '--turbofan --semi-space-growth-factor=2 --parallel-scavenge';

/**
 * v8.setFlagsFromString without loading node:v8, whose heap-snapshot helpers pull in node's whole
 * stream implementation (some 20 modules, about 5 ms of every start, for a command that never
 * streams). The binding is the function node:v8 itself calls. process.binding('v8') is deprecated
 * (DEP0111) and warns; the warning is muted for that one call, since printing it would load the
 * streams too (and --throw-deprecation would throw). Where the binding is gone or differs (a later
 * node), node:v8 is used.
 */
function setV8Flags(flags) {
  const binding = v8Binding();
  if (binding && typeof binding.setFlagsFromString === 'function') binding.setFlagsFromString(flags);
  else require('node:v8').setFlagsFromString(flags);
}

let v8BindingOnce;
/** process.binding('v8') with its deprecation warning muted (see setV8Flags), or null where it is gone. */
function v8Binding() {
  if (v8BindingOnce === undefined) {
    // Already true (and then read-only) under --no-deprecation: left alone.
    const before = process.noDeprecation;
    const mute = before !== true;
    try {
      if (mute) process.noDeprecation = true;
      v8BindingOnce = process.binding('v8');
    } catch {
      v8BindingOnce = null;
    } finally {
      if (mute) process.noDeprecation = before;
    }
  }
  return v8BindingOnce;
}

/**
 * Build time: a cache of each bundle as compiling it leaves it (no run), so the first run after a
 * build is fast too; the first run replaces it with a full one.
 */
function prime(dist, files) {
  const root = fs.realpathSync(dist);
  // V8 accepts a cache only under the flags it was made with: make these under the CLI's, then
  // give the build its compiler back.
  useCliFlags();
  let n = 0;
  try {
    for (const file of files) {
      const abs = fs.realpathSync(file);
      const stat = fs.statSync(abs);
      const script = new vm.Script(readWrapped(abs, stat.size), scriptOptions(abs));
      if (writeCache(root, abs, keyOf(stat), PRIME, script.createCachedData())) n++;
    }
  } finally {
    setV8Flags(V8_DEFAULT_FLAGS);
  }
  return n;
}

module.exports = { install, prime, preloadBuiltins, BUILTINS_FILE, useCliFlags, setV8Flags, flagsTag, SHORT_RUN_GC, V8_DEFAULT_FLAGS, parseCache, formatCache, keyOf, cachePaths, FORMAT, DIR };
