# Regenerates test/fixtures/invalid/*.yaml from the shipped example by small edits.
# Each fixture breaks exactly one thing; test/unit/invalid-fixtures.test.ts pins the exact message.
import os
base = open('test/fixtures/valid/design-example.yaml').read()
out = 'test/fixtures/invalid'
os.makedirs(out, exist_ok=True)
def sub(old, new, count=1):
    assert old in base, old
    return base.replace(old, new, count)
EXPR = "expr: 'max(pg_replication_lag{instance=\"db1:9187\"})'"
F = {
  'unknown-key-typo': sub('      pause: 10 ', '      paus: 10  '),
  'missing-owner': sub('  owner: team-orders\n', ''),
  'id-uppercase': sub('  id: orders-region-backfill ', '  id: Orders_Backfill '),
  'id-too-long': sub('  id: orders-region-backfill ', '  id: orders-region-backfill-with-a-very-long-name '),
  'id-path-traversal': sub('  id: orders-region-backfill ', '  id: ../../etc/passwd '),
  'api-version': 'apiVersion: migobs/v2\n' + base.split('\n', 1)[1],
  'kind-wrong': sub('kind: Migration', 'kind: Migraton'),
  'engine-typo': sub('engine: postgres ', 'engine: postgress'),
  'type-unknown': sub('type: backfill ', 'type: backfil '),
  'duration-words': sub('      for: 2m', '      for: 2 minutes'),
  'duration-negative': sub('      for: 2m', '      for: -2m'),
  'threshold-string': sub('      pause: 10 ', '      pause: "10"'),
  'threshold-nan': sub('      pause: 10 ', '      pause: .nan'),
  'threshold-inf': sub('      rollback: 60', '      rollback: .inf'),
  'threshold-overflow': sub('      rollback: 60', '      rollback: 1e309'),
  'rollback-below-pause': sub('      rollback: 60', '      rollback: 5'),
  'below-misordered': sub('      pause: 10 ', '      direction: below\n      pause: 10 '),
  'duplicate-gate-id': base.replace('  routing:', '    - id: replication-lag\n      pause: 1\n      rollback: 2\n  routing:'),
  'unknown-signal': sub('      signal: replicationLag', '      signal: replicationLagg'),
  'unknown-phase': sub('phases: [canary, ramp, full]', 'phases: [canary, rampup, full]'),
  'expr-syntax': sub("expr: 'max(pg_replication_lag{instance=\"db1:9187\"})'", "expr: 'max(pg_replication_lag{instance=\"db1:9187\"}'"),
  'expr-range-vector': sub("expr: 'max(pg_replication_lag{instance=\"db1:9187\"})'", "expr: 'pg_replication_lag[5m]'"),
  'expr-scalar': sub("expr: 'max(pg_replication_lag{instance=\"db1:9187\"})'", "expr: 'scalar(pg_replication_lag)'"),
  'expr-string': sub("expr: 'max(pg_replication_lag{instance=\"db1:9187\"})'", "expr: '\"lag\"'"),
  'expr-bad-regex': sub("expr: 'max(pg_replication_lag{instance=\"db1:9187\"})'", "expr: 'max(pg_replication_lag{instance=~\"db(1\"})'"),
  'selector-breakout': sub("selector: 'job=\"orders-backfill\"' ", "selector: 'job=\"x\"} or vector(1) #'"),
  'selector-backslash': sub("selector: 'job=\"orders-backfill\"' ", "selector: 'job=\"x\\\\'"),
  'selector-query': sub("selector: 'job=\"orders-backfill\"' ", "selector: 'up'"),
  'selector-bad-regex': sub("selector: 'job=\"orders-backfill\"' ", "selector: 'job=~\"orders-(backfill\"'"),
  'selector-migration-id': sub("selector: 'job=\"orders-backfill\"' ", "selector: 'migration_id=\"other\"'"),
  'link-javascript': sub('url: "https://wiki.example.com/orders/region-backfill"', 'url: "javascript:alert(1)"'),
  'duplicate-yaml-key': sub('  expectedDuration: 6h\n', '  expectedDuration: 6h\n  expectedDuration: 8h\n'),
  'tag-js-function': sub('  owner: team-orders', '  owner: !!js/function "function () { return 1 }"'),
  'tag-python': sub('  owner: team-orders', '  owner: !!python/object/apply:os.system ["id"]'),
  'tab-indent': sub('  title: Backfill', '\ttitle: Backfill'),
  'top-level-list': '- apiVersion: migobs/v1\n- kind: Migration\n',
  'top-level-scalar': 'just some text\n',
  'empty': '',
  'comments-only': '# nothing here\n',
  'two-documents': base + '---\n' + base,
  'kubernetes-manifest': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
  'alias-bomb': 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
  'new-gate-incomplete': base.replace('  routing:', '    - id: cpu-hot\n      signal: cpuUtilization\n  routing:'),
  'scrape-interval-zero': sub('  scrapeInterval: 30s ', '  scrapeInterval: 0s  '),
  'duration-absurd': sub('  expectedDuration: 6h', '  expectedDuration: 99999999999999y'),
  'rollback-enum': sub('rollback: easy}', 'rollback: maybe}'),
  'gates-not-list': sub('  gates:                             # merged with the preset\'s by id\n', '  gates: 5\n').split('    - id: replication-lag')[0] + '  routing: {page: pagerduty-orders, notify: slack-orders}\n',
  'unterminated-string': sub('  title: Backfill orders.region from customers', '  title: "Backfill orders.region from customers'),
  'threshold-ratio-unreachable': sub("unit: s}", "unit: ratio}"),
  'disable-unknown-gate': base.replace('  routing:', '    - id: replicaton-lag\n      enabled: false\n  routing:'),
  'indent-less': sub('      signal: replicationLag', '     signal: replicationLag'),
  'indent-more': sub('      signal: replicationLag', '       signal: replicationLag'),
  'rollback-for-number': sub('      for: 2m', '      rollbackFor: 10'),
  'threshold-unit': sub('      pause: 10 ', '      pause: 3s '),
  'threshold-percent': sub('      pause: 10 ', '      pause: 0.5%'),
  'expr-rate-of-instant': sub(EXPR, "expr: 'max(rate(pg_replication_lag{instance=\"db1:9187\"}))'"),
  'expr-empty-selector': sub(EXPR, "expr: 'max({instance=~\".*\"})'"),
  'expr-newer-function': sub(EXPR, "expr: 'max(sort_by_label(pg_replication_lag{instance=\"db1:9187\"}, \"instance\"))'"),
  'expr-re2-regex': sub(EXPR, "expr: 'max(pg_replication_lag{instance=~\"db1\\\\Z\"})'"),
  'expr-number-underscore': sub(EXPR, "expr: 'max(pg_replication_lag{instance=\"db1:9187\"}) > 1_000'"),
  'expr-at-out-of-range': sub(EXPR, "expr: 'max(pg_replication_lag{instance=\"db1:9187\"} @ 1e20)'"),
  'expr-bool-set-operator': sub(EXPR, "expr: 'max(pg_replication_lag) and bool max(pg_replication_lag)'"),
  'selector-re2-regex': sub("selector: 'job=\"orders-backfill\"' ", "selector: 'job=~\"orders\\\\Z\"'"),
  'deep-nesting': 'apiVersion: migobs/v1\nkind: Migration\nmetadata: ' + '[' * 10000 + ']' * 10000 + '\n',
}
for name, text in F.items():
    with open(os.path.join(out, name + '.yaml'), 'w', newline='') as f:
        f.write(text)
with open(os.path.join(out, 'invalid-utf8.yaml'), 'wb') as f:
    f.write(base.encode().replace(b'team-orders', b'team-\xff\xfeorders'))
print(len(F) + 1, 'fixtures')
