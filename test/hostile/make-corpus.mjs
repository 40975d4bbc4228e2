#!/usr/bin/env node
// Writes the hostile input corpus (test/hostile/inputs/) from the shipped example plus one hostile
// change each. Run it again after changing a case: `node test/hostile/make-corpus.mjs`.
// Inputs too big to commit (the 50 MB file, 1,000 gates, 10,000-deep block mappings) are made by
// the test itself in a temp folder (see corpus.ts `GENERATED`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'inputs');

// The shipped example, line by line (1-based line numbers in comments below refer to this).
const BASE = `apiVersion: migobs/v1
kind: Migration
metadata:
  id: orders-region-backfill
  title: Backfill orders.region from customers
  owner: team-orders
  links: [{title: Design doc, url: "https://wiki.example.com/orders/region-backfill"}]
spec:
  type: backfill
  engine: postgres
  blastRadius: {tables: [orders], writePath: true, rollback: easy}
  expectedDuration: 6h
  scrapeInterval: 30s
  selector: 'job="orders-backfill"'
  signals:
    replicationLag: {expr: 'max(pg_replication_lag{instance="db1:9187"})', unit: s}
  gates:
    - id: replication-lag
      signal: replicationLag
      pause: 10
      rollback: 60
      for: 2m
      phases: [canary, ramp, full]
      remediation: Halve --batch-size, wait for lag < 5 s, resume.
  routing: {page: pagerduty-orders, notify: slack-orders}
  grafana: {datasourceUid: prometheus, folder: Migrations}
  targets:
    database: 'instance="db1:9187"'
    hosts: 'instance="db1:9100"'
    app: 'job="orders-api"'
`;

/** The base with line `n` (1-based) replaced by `text` (which may hold several lines). */
function line(n, text) {
  const lines = BASE.split('\n');
  lines[n - 1] = text;
  return lines.join('\n');
}
/** The base with `from` replaced by `to` (exactly once). */
function sub(from, to) {
  if (!BASE.includes(from)) throw new Error(`not in base: ${from}`);
  return BASE.replace(from, () => to);
}

// A small deterministic PRNG so "random bytes" are the same bytes on every machine.
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomBytes(seed, n, { noNul = false } = {}) {
  const rnd = mulberry32(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    let v = Math.floor(rnd() * 256);
    if (noNul && v === 0) v = 1;
    b[i] = v;
  }
  return b;
}

const cases = {
  // --- YAML bombs and nesting -------------------------------------------------------------
  'alias-bomb-laughs': `a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
`,
  // Aliases inside an otherwise valid definition: the tables list expands 2^k times.
  'alias-bomb-in-definition': sub(
    '  blastRadius: {tables: [orders], writePath: true, rollback: easy}',
    `  blastRadius:
    tables: &t0 [orders, orders]
    writePath: true
    rollback: easy
  verification: &t1 [*t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0, *t0]`,
  ),
  'nesting-flow-seq-10000': `apiVersion: migobs/v1\nkind: Migration\nmetadata: ${'['.repeat(10000)}${']'.repeat(10000)}\n`,
  'nesting-flow-map-10000': `apiVersion: migobs/v1\nkind: Migration\nmetadata: ${'{a: '.repeat(10000)}1${'}'.repeat(10000)}\n`,
  'nesting-flow-unclosed-10000': `spec: ${'[{'.repeat(5000)}\n`,
  'nesting-block-seq-10000': `apiVersion: migobs/v1\nkind: Migration\nspec:\n  gates:\n    ${'- '.repeat(10000)}x\n`,
  // --- bytes that are not YAML text -------------------------------------------------------
  'random-bytes': randomBytes(7, 4096),
  'random-bytes-no-nul': randomBytes(11, 4096, { noNul: true }),
  'invalid-utf8-overlong': Buffer.concat([Buffer.from(line(5, '  title: Backfill ')), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]),
  'invalid-utf8-surrogate': Buffer.concat([Buffer.from(BASE.split('\n').slice(0, 5).join('\n') + '\n  owner: team-'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]),
  'utf16-le-bom': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BASE, 'utf16le')]),
  'nul-byte': Buffer.concat([Buffer.from('apiVersion: migobs/v1\nkind: Migr'), Buffer.from([0]), Buffer.from('ation\n')]),
  'empty': '',
  'whitespace-only': '   \n\n\t\n  \n',
  'bom-only': '\ufeff',
  // --- not one migration ------------------------------------------------------------------
  'multiple-documents': `${BASE}---\n${BASE}`,
  'document-end-then-more': `${BASE}...\n${BASE}`,
  'kubernetes-deployment': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-backfill
  labels: {app: orders}
spec:
  replicas: 1
  selector: {matchLabels: {app: orders}}
  template:
    metadata: {labels: {app: orders}}
    spec:
      containers:
        - name: backfill
          image: "example/backfill:1.0"
`,
  'top-level-list': `- apiVersion: migobs/v1\n  kind: Migration\n`,
  'top-level-number': '42\n',
  'top-level-null': '~\n',
  // --- tags, keys, indentation, strings ---------------------------------------------------
  'tag-local-include': line(6, '  owner: !include /etc/passwd'),
  'tag-binary': line(6, '  owner: !!binary aGVsbG8='),
  'tag-set': line(11, '  blastRadius: !!set {orders: null}'),
  'tag-js-regexp-on-key': line(6, '  ? !!js/regexp /owner/\n  : team-orders'),
  'duplicate-key-nested': line(21, '      rollback: 60\n      pause: 20'),
  'duplicate-key-top': `${BASE}kind: Migration\n`,
  'merge-key': line(25, '  routing: {<<: {page: evil}, page: pagerduty-orders, notify: slack-orders}'),
  'proto-key': line(6, '  owner: team-orders\n  __proto__: {polluted: true}'),
  'constructor-key': line(26, '  grafana: {datasourceUid: prometheus, folder: Migrations, constructor: {prototype: {polluted: true}}}'),
  'complex-key': line(6, '  owner: team-orders\n  ? [a, b]\n  : c'),
  'tab-indent': line(19, '\t\t\tsignal: replicationLag'),
  'unterminated-double-quote': line(5, '  title: "Backfill orders.region from customers'),
  'unterminated-single-quote': line(14, `  selector: 'job="orders-backfill"`),
  'unterminated-flow': line(23, '      phases: [canary, ramp, full'),
  'unterminated-block-scalar-indent': line(24, '      remediation: |\nHalve'),
  // --- numbers ------------------------------------------------------------------------------
  'threshold-nan': line(20, '      pause: .nan'),
  'threshold-neg-inf': line(21, '      rollback: -.inf'),
  'threshold-1e309': line(21, '      rollback: 1e309'),
  'threshold-bool': line(20, '      pause: true'),
  'threshold-null': line(20, '      pause: ~'),
  'threshold-yaml11-sexagesimal': line(20, '      pause: 1:30'),
  // --- wrong types everywhere ------------------------------------------------------------
  'type-metadata-list': line(3, 'metadata: [id, title]').split('\n').filter((_, i) => i < 3 || i > 6).join('\n'),
  'type-spec-string': `apiVersion: migobs/v1\nkind: Migration\nmetadata: {id: x, title: t, owner: o}\nspec: backfill\n`,
  'type-gate-string': line(18, '    - replication-lag').split('\n').filter((_, i) => i < 18 || i > 23).join('\n'),
  'type-signals-list': line(16, '    - replicationLag'),
  'type-phases-string': line(23, '      phases: canary'),
  'type-writepath-yes': line(11, '  blastRadius: {tables: [orders], writePath: yes, rollback: easy}'),
  'type-title-number': line(5, '  title: 12345'),
  'type-owner-null': line(6, '  owner:'),
  'type-enabled-string': line(24, '      remediation: Halve --batch-size, wait for lag < 5 s, resume.\n      enabled: "false"'),
  'type-links-mapping': line(7, '  links: {title: Design doc, url: "https://wiki.example.com/x"}'),
  'type-expr-number': line(16, '    replicationLag: {expr: 42, unit: s}'),
  // --- durations ---------------------------------------------------------------------------
  'duration-negative-for': line(22, '      for: -5m'),
  'duration-absurd-for': line(22, '      for: 999999999999999w'),
  'duration-absurd-expected': line(12, '  expectedDuration: 300y'),
  'duration-repeated-unit': line(22, '      for: 1m1m'),
  'duration-float': line(22, '      for: 1.5m'),
  'duration-number': line(22, '      for: 120'),
  'duration-zero-scrape': line(13, '  scrapeInterval: 0ms'),
  // --- ids ---------------------------------------------------------------------------------
  'id-dotdot-slash': line(4, '  id: ../../../tmp/pwned'),
  'id-quote': line(4, `  id: 'orders"} or vector(1) #'`),
  'id-template': line(4, '  id: "{{ with query \\"up\\" }}{{ . }}{{ end }}"'),
  'id-newline': line(4, '  id: "orders\\nregion"'),
  'id-cyrillic-o': line(4, '  id: \u043erders-region-backfill'),
  'id-fullwidth': line(4, '  id: \uff4frders-region-backfill'),
  'id-zero-width-joiner': line(4, '  id: orders\u200dregion-backfill'),
  'id-trailing-dash': line(4, '  id: orders-'),
  'gate-id-dotdot': line(18, '    - id: ../replication-lag'),
  'gate-id-cyrillic': line(18, '    - id: replication-l\u0430g'),
  'gate-phases-empty': line(23, '      phases: []'),
  'phase-id-quote': line(23, `      phases: [canary, 'ramp"}', full]`),
  'signal-name-template': line(16, "    '{{replicationLag}}': {expr: 'max(pg_replication_lag)', unit: s}"),
  'link-javascript-url': line(7, '  links: [{title: "[x](javascript:alert(1))", url: "javascript:alert(1)"}]'),
  'link-data-url': line(7, '  links: [{title: doc, url: "data:text/html,<script>alert(1)</script>"}]'),
  'link-url-quote': line(7, `  links: [{title: doc, url: 'https://x.example/"><script>'}]`),
  // --- selectors -------------------------------------------------------------------------
  'selector-breakout-or': line(14, `  selector: 'job="x"} or vector(1) #'`),
  'selector-breakout-newline': line(14, `  selector: "job=\\"x\\"\\n} or vector(1)"`),
  'selector-trailing-backslash': line(14, `  selector: 'job="x\\'`),
  'selector-bad-regex': line(14, `  selector: 'job=~"(orders"'`),
  'selector-lookahead': line(14, `  selector: 'job=~"(?=orders).*"'`),
  'selector-name-injection': line(14, `  selector: 'job="x",__name__="up"'`),
  'selector-comment': line(14, `  selector: 'job="x" # }'`),
  // --- signal expressions ----------------------------------------------------------------
  'expr-scalar': line(16, "    replicationLag: {expr: 'scalar(up)', unit: s}"),
  'expr-string': line(16, `    replicationLag: {expr: '"x"', unit: s}`),
  'expr-range-vector': line(16, "    replicationLag: {expr: 'pg_replication_lag[5m]', unit: s}"),
  'expr-subquery': line(16, "    replicationLag: {expr: 'max(pg_replication_lag)[10m:1m]', unit: s}"),
  'expr-bad-regex': line(16, `    replicationLag: {expr: 'max(pg_replication_lag{instance=~"db[1"})', unit: s}`),
  'expr-unterminated-string': line(16, `    replicationLag: {expr: 'max(pg_replication_lag{instance="db1})', unit: s}`),
  // --- characters that hide or reorder text ---------------------------------------------------
  'char-ansi-escape': line(5, '  title: "Backfill \\e[2J\\e[31morders"'),
  'char-lone-surrogate': line(6, '  owner: "team-\\ud800orders"'),
  'char-bidi-override': line(24, '      remediation: "Resume when lag < 5 s \u202e.kcab llor"'),
  'char-c1-control': line(6, '  owner: "team\\x85orders"'),
  // --- legitimately valid, hostile-looking: exit 0 and safe output --------------------------
  'valid-crlf': BASE.replace(/\n/g, '\r\n'),
  'valid-bom': `\ufeff${BASE}`,
  'valid-tab-after-colon': line(20, '      pause:\t10'),
  'valid-selector-escaped-quote': line(14, `  selector: 'job="x\\u0022} or vector(1) #", env=~"a\\\\\\\\|b"'`),
  'valid-expr-trailing-comment': line(16, "    replicationLag: {expr: 'max(pg_replication_lag) # ) > 1e9', unit: s}"),
  'valid-expr-template-in-label': line(16, `    replicationLag: {expr: 'max(pg_replication_lag{instance="{{ $labels.x }}"})', unit: s}`),
  'valid-hostile-free-text': [
    'apiVersion: migobs/v1',
    'kind: Migration',
    'metadata:',
    '  id: orders-region-backfill',
    `  title: '{{ with query "up" }}{{ . }}{{ end }} <script>alert(1)</script>'`,
    `  owner: '$labels.owner "quoted" back\\slash'`,
    '  links: [{title: "[x](javascript:alert(1)) <img src=x onerror=alert(1)>", url: "https://wiki.example.com/a_(b)"}]',
    ...BASE.split('\n').slice(7, 23),
    `      remediation: "{{ $value }} | ** # <b>bold</b> \\\\ end {"`,
    ...BASE.split('\n').slice(24),
  ].join('\n'),
  // User Markdown (description, rollback plan, criteria) that tries every way out: raw HTML,
  // non-http links of each kind, headings, a fake anchor and a fence left open. Valid: migobs
  // keeps it as Markdown and neutralises those parts (src/render/markdown-user.ts).
  'valid-hostile-markdown': [
    ...BASE.split('\n').slice(0, 4),
    '  title: Backfill orders.region from customers',
    '  owner: team-orders',
    '  description: |',
    '    [ref link][evil] and [ok][good] and <javascript:alert(1)> and <vbscript:msgbox(1)>',
    '    ![pixel](data:image/svg+xml;base64,PHN2Zz4=) [enc](java&#115;cript:alert(1)) [ws]( javascript:alert(1) )',
    '    <a id="gate-replication-lag"></a><a href="javascript:alert(1)">x</a>',
    '    # Fake heading',
    '    Fake setext',
    '    ===',
    '',
    '    [evil]: javascript:alert(1)',
    '    [good]: https://wiki.example.com/ok',
    '',
    '    <details open ontoggle=alert(1)>',
    '    <!-- hidden -->',
    ...BASE.split('\n').slice(7, 24),
    '  rollbackPlan: |',
    '    1. Inside a fence HTML is text:',
    '       ```html',
    '       <script>alert(1)</script> [x](javascript:alert(1))',
    '       ```',
    '    2. This fence is never closed:',
    '    ```sh',
    '    </a><script>alert(2)</script>',
    '  verification:',
    '    - "<img src=x onerror=alert(3)> `SELECT 1 | 2` [x](javascript:alert(3))"',
    ...BASE.split('\n').slice(24),
  ].join('\n'),
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [name, content] of Object.entries(cases)) writeFileSync(join(out, `${name}.yaml`), content);
console.log(`wrote ${readdirSync(out).length} inputs to ${out}`);
