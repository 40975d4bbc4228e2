#!/usr/bin/env node
// Checks that every metric name the engine signal libraries (presets/engines/*.yaml) and the
// preset-specific signals (presets/*.yaml `signals:`) read really exists:
//   - each signal lists `metrics:`; every listed name must occur in its `expr`, and every
//     metric selector in the expr must be listed (found with the PromQL parser when it loads,
//     otherwise with a regex);
//   - every listed name must be a family in one of the exporter captures
//     test/fixtures/exporter-captures/*.families.tsv (histogram/summary _bucket/_sum/_count map to
//     the base name), or part of the migobs metric contract (docs/emitter.md), or one of the
//     conventional application HTTP metrics that the generic library documents as "override me";
//   - each expr parses as PromQL (when @prometheus-io/lezer-promql is available);
//   - each preset gate's signal exists in every engine library the gate applies to;
//   - each signal declares the spec.targets entry it reads (`target:`, `migration` for
//     migration_* only) and, optionally, `seriesPer:` (one series per member of a target).
// Usage: node scripts/check-preset-metrics.mjs [--families-dir DIR]
// Exit 0 when clean, 1 with one line per problem on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argIdx = process.argv.indexOf('--families-dir');
const familiesDir = argIdx > 0 ? path.resolve(process.argv[argIdx + 1]) : path.join(repoRoot, 'test', 'fixtures', 'exporter-captures');

// The migobs metric contract (docs/emitter.md; src/emitter/index.ts exposes it).
const CONTRACT = new Set([
  'migration_rows_processed_total', 'migration_rows_total', 'migration_batches_total',
  'migration_batch_duration_seconds', 'migration_errors_total', 'migration_phase',
  'migration_throttled', 'migration_lag_seconds', 'migration_rows_verified_total',
  'migration_rows_mismatched_total', 'migration_last_progress_timestamp_seconds', 'migration_info',
]);
const CONTRACT_HISTOGRAMS = new Set(['migration_batch_duration_seconds']);
// Conventional application metrics (generic appErrorRatio / appLatencyP99; documented as
// "override with the app's own names").
const APP = new Map([
  ['http_requests_total', 'counter'],
  ['http_request_duration_seconds', 'histogram'],
]);

const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

// ---- exporter families -------------------------------------------------------------
if (!fs.existsSync(familiesDir)) {
  console.error(`check-preset-metrics: families directory not found: ${familiesDir}`);
  process.exit(1);
}
const families = new Map(); // name -> {type, files:Set}
const familyFiles = fs.readdirSync(familiesDir).filter((f) => f.endsWith('.families.tsv')).sort();
if (familyFiles.length === 0) {
  console.error(`check-preset-metrics: no *.families.tsv in ${familiesDir}`);
  process.exit(1);
}
for (const f of familyFiles) {
  const lines = fs.readFileSync(path.join(familiesDir, f), 'utf8').split('\n');
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const [name, type] = line.split('\t');
    if (!families.has(name)) families.set(name, { type, files: new Set() });
    families.get(name).files.add(f.replace(/\.families\.tsv$/, ''));
  }
}

function resolveMetric(name) {
  if (families.has(name)) return { ok: true, source: [...families.get(name).files].join(', ') };
  if (CONTRACT.has(name)) return { ok: true, source: 'migobs contract' };
  if (APP.has(name)) return { ok: true, source: 'app convention' };
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const fam = families.get(base);
    if (fam && (fam.type === 'histogram' || (fam.type === 'summary' && suffix !== '_bucket'))) {
      return { ok: true, source: [...fam.files].join(', ') };
    }
    if (CONTRACT_HISTOGRAMS.has(base)) return { ok: true, source: 'migobs contract' };
    if (APP.get(base) === 'histogram') return { ok: true, source: 'app convention' };
  }
  return { ok: false };
}

// Base name a selector refers to (x_bucket of a histogram -> x).
function baseName(name) {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const fam = families.get(base);
    if ((fam && (fam.type === 'histogram' || fam.type === 'summary')) || CONTRACT_HISTOGRAMS.has(base) || APP.get(base) === 'histogram') {
      return base;
    }
  }
  return name;
}

// ---- PromQL parsing (optional) -----------------------------------------------------
let parser = null;
try {
  ({ parser } = await import('@prometheus-io/lezer-promql'));
} catch {
  parser = null;
}

const KEYWORDS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2',
  'inf', 'nan',
]);

function selectorsOf(expr) {
  if (parser) {
    const tree = parser.parse(expr);
    const names = [];
    const errors = [];
    tree.iterate({
      enter(node) {
        if (node.type.isError) errors.push(node.from);
        if (node.name === 'VectorSelector') {
          const id = node.node.getChild('Identifier');
          if (id) names.push(expr.slice(id.from, id.to));
          else names.push(null); // {__name__=...} style selector
        }
      },
    });
    return { names, errors };
  }
  // Fallback: strip strings, label matchers, grouping clauses and ranges, then keep
  // identifiers that are not function calls, keywords or numbers.
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, '[]');
  const names = [];
  const re = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  let m;
  while ((m = re.exec(stripped))) {
    const word = m[0];
    if (/^\s*\(/.test(stripped.slice(re.lastIndex))) continue; // function call or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    if (m.index > 0 && /[0-9.]/.test(stripped[m.index - 1])) continue; // 1e9, 5m
    names.push(word);
  }
  return { names, errors: [] };
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function checkSignal(where, name, sig) {
  if (!sig || typeof sig !== 'object') return problem(where, `signal ${name} is not a mapping`);
  const at = `${where}: signal ${name}`;
  if (typeof sig.expr !== 'string' || !sig.expr.trim()) return problem(at, 'missing expr');
  if (!Array.isArray(sig.metrics) || sig.metrics.length === 0) {
    problem(at, 'missing metrics: [...] list');
    return;
  }
  for (const metric of sig.metrics) {
    if (typeof metric !== 'string') {
      problem(at, `metrics entry ${JSON.stringify(metric)} is not a string`);
      continue;
    }
    const textual = new RegExp(`(^|[^a-zA-Z0-9_:])${escapeRe(metric)}(_bucket|_sum|_count)?(?![a-zA-Z0-9_:])`);
    if (!textual.test(sig.expr)) problem(at, `listed metric ${metric} does not occur in expr`);
    const r = resolveMetric(metric);
    if (!r.ok) problem(at, `metric ${metric} is not in any ${path.basename(familiesDir)}/*.families.tsv, the migobs contract or the app conventions`);
  }
  const { names, errors } = selectorsOf(sig.expr);
  if (errors.length) problem(at, `expr does not parse as PromQL (error at offset ${errors[0]})`);
  const listed = new Set(sig.metrics);
  for (const used of names) {
    if (used === null) {
      problem(at, 'expr uses a selector without a metric name; list-based checking cannot verify it');
      continue;
    }
    if (!listed.has(used) && !listed.has(baseName(used))) problem(at, `expr reads ${used}, which is not listed in metrics`);
  }
  checkTarget(at, sig);
  if (typeof sig.requires !== 'string' || !sig.requires.trim()) {
    if (where.includes('engines')) problem(at, 'missing requires');
  }
}

// Every library signal says which spec.targets entry it reads (docs/definition.md "Targets"):
// `migration` exactly when it reads only migobs contract metrics; seriesPer names a target.
const TARGETS = new Set(['database', 'replicas', 'hosts', 'app']);
function checkTarget(at, sig) {
  const onlyContract = sig.metrics.every((m) => CONTRACT.has(m) || CONTRACT_HISTOGRAMS.has(m));
  if (sig.target === undefined) problem(at, 'missing target: (database, replicas, hosts, app, or migration for migration_* only)');
  else if (sig.target === 'migration' && !onlyContract) problem(at, 'target: migration, but the signal reads exporter metrics; name the target they come from');
  else if (sig.target !== 'migration' && !TARGETS.has(sig.target)) problem(at, `unknown target ${JSON.stringify(sig.target)}`);
  else if (sig.target !== 'migration' && onlyContract) problem(at, 'reads migration_* metrics only: use target: migration');
  if (sig.seriesPer !== undefined && !TARGETS.has(sig.seriesPer)) problem(at, `unknown seriesPer ${JSON.stringify(sig.seriesPer)}`);
  if (sig.seriesPer !== undefined && sig.target === 'migration') problem(at, 'seriesPer on a migration_* signal: the contract has one series per migration');
}

// ---- engine libraries --------------------------------------------------------------
const enginesDir = path.join(repoRoot, 'presets', 'engines');
const engineFiles = fs.existsSync(enginesDir) ? fs.readdirSync(enginesDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
if (engineFiles.length === 0) problem('presets/engines', 'no engine libraries found');
const engineSignals = new Map(); // engine -> Set of names (own file only)
let signalCount = 0;
for (const f of engineFiles) {
  const rel = path.join('presets', 'engines', f);
  let doc;
  try {
    doc = YAML.parse(fs.readFileSync(path.join(enginesDir, f), 'utf8'));
  } catch (e) {
    problem(rel, `invalid YAML: ${e.message}`);
    continue;
  }
  const engine = doc?.engine ?? path.basename(f).replace(/\.ya?ml$/, '');
  const signals = doc?.signals ?? {};
  engineSignals.set(engine, new Set(Object.keys(signals)));
  for (const [name, sig] of Object.entries(signals)) {
    signalCount += 1;
    checkSignal(rel, name, sig);
  }
}

// Effective library per engine: generic merged under the engine's own file.
function effective(engine) {
  const own = engineSignals.get(engine) ?? new Set();
  if (engine === 'generic') return own;
  return new Set([...(engineSignals.get('generic') ?? []), ...own]);
}

// ---- presets -----------------------------------------------------------------------
const presetsDir = path.join(repoRoot, 'presets');
const presetFiles = fs.existsSync(presetsDir) ? fs.readdirSync(presetsDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
const ALL_ENGINES = ['postgres', 'mysql', 'generic'];
for (const f of presetFiles) {
  const rel = path.join('presets', f);
  let doc;
  try {
    doc = YAML.parse(fs.readFileSync(path.join(presetsDir, f), 'utf8'));
  } catch (e) {
    problem(rel, `invalid YAML: ${e.message}`);
    continue;
  }
  const own = doc?.signals ?? {};
  for (const [name, sig] of Object.entries(own)) {
    signalCount += 1;
    checkSignal(rel, name, sig);
  }
  for (const gate of doc?.gates ?? []) {
    const engines = gate.engines ?? ALL_ENGINES;
    for (const engine of engines) {
      if (!ALL_ENGINES.includes(engine)) {
        problem(rel, `gate ${gate.id}: unknown engine ${engine}`);
        continue;
      }
      if (!(gate.signal in own) && !effective(engine).has(gate.signal)) {
        problem(rel, `gate ${gate.id}: signal ${gate.signal} is not defined for engine ${engine} (add engines: or the signal)`);
      }
    }
  }
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`check-preset-metrics: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-preset-metrics: ${signalCount} signals in ${engineFiles.length} engine libraries and ${presetFiles.length} presets OK against ${families.size} exporter families from ${familyFiles.length} captures${parser ? '' : ' (PromQL parser unavailable: regex extraction)'}`);
