import { describe, expect, it } from 'vitest';
import { matcherRegexValid } from '../../../src/validate/rules/matcher-regex-valid';
import { problems } from '../../helpers/definitions';

describe(matcherRegexValid.name, () => {
  it.each([
    ['selector', 'job=~"orders-(backfill"'],
    ['selector', 'job=~"a(?=b)"'],
    ['expr', 'max(pg_replication_lag{instance=~"db[1"})'],
    ['expr', 'max(pg_replication_lag{instance!~"(a)\\\\1"})'],
  ])('rejects a bad regex in the %s: %s', (where, text) => {
    const p = problems((d) => {
      if (where === 'selector') d.spec.selector = text;
      else d.spec.signals!.replicationLag!.expr = text;
    });
    expect(p.map((x) => x.check)).toEqual(['matcher-regex-valid']);
  });
  it.each([['selector', 'job=~"orders-.*"'], ['expr', 'max(pg_replication_lag{instance=~"db[0-9]+:9187"})']])('accepts a good regex in the %s', (where, text) => {
    expect(problems((d) => { if (where === 'selector') d.spec.selector = text; else d.spec.signals!.replicationLag!.expr = text; })).toEqual([]);
  });
});
