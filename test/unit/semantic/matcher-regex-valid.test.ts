import { describe, expect, it } from 'vitest';
import { matcherRegexValid } from '../../../src/validate/rules/matcher-regex-valid';
import { located, problems } from '../../helpers/definitions';

const set = (where: string, text: string) => (d: Parameters<Parameters<typeof problems>[0]>[0]) => {
  if (where === 'selector') d.spec.selector = text;
  else d.spec.signals!.replicationLag!.expr = text;
};

describe(matcherRegexValid.name, () => {
  // Regexes JavaScript accepts (or rejects) differently from RE2 as Go parses it, the way Prometheus does.
  it.each([
    ['selector', 'job=~"orders-(backfill"', 'missing closing )'],
    ['selector', 'job=~"a(?=b)"', 'invalid or unsupported Perl syntax: `(?=`'],
    ['selector', 'job=~"orders\\\\Z"', 'invalid escape sequence: `\\Z`'],
    ['selector', 'job=~"\\\\e"', 'invalid escape sequence: `\\e`'],
    ['selector', 'job=~"x\\\\C"', 'invalid escape sequence: `\\C`'],
    ['selector', 'job=~"[[:foo:]]"', 'invalid character class range: `[:foo:]`'],
    ['selector', 'job=~"\\\\p{Foo}"', 'invalid character class range: `\\p{Foo}`'],
    ['selector', 'job=~"a{1001}"', 'invalid repeat count: `{1001}`'],
    ['selector', 'job=~"(?<name>a)"', 'invalid or unsupported Perl syntax: `(?<`'],
    ['expr', 'max(pg_replication_lag{instance=~"db[1"})', 'missing closing ]'],
    ['expr', 'max(pg_replication_lag{instance!~"(a)\\\\1"})', 'invalid escape sequence: `\\1`'],
    ['expr', 'max(pg_replication_lag{instance=~"db\\\\Z"})', 'invalid escape sequence: `\\Z`'],
  ])('rejects a bad regex in the %s: %s', (where, text, words) => {
    const p = located(set(where, text));
    expect(p.map((x) => x.check)).toEqual(['matcher-regex-valid']);
    expect(p[0]!.message).toContain(`error parsing regexp: ${words}`);
    if (where === 'expr') expect(p[0]!.text.startsWith('instance')).toBe(true); // at the matcher, not the start of the expr
  });
  it.each([
    ['selector', 'job=~"orders-.*"'],
    ['selector', 'job=~"(?i)Orders-backfill"'],
    ['selector', 'job=~"(?P<name>orders)-.*"'],
    ['selector', 'job=~"\\\\Qorders.backfill\\\\E"'],
    ['selector', 'job=~"[[:alpha:]-]+"'],
    ['expr', 'max(pg_replication_lag{instance=~"db[0-9]+:9187"})'],
    ['expr', 'max(pg_replication_lag{instance=~"(?i)DB1:.*"})'],
  ])('accepts a regex Prometheus accepts in the %s: %s', (where, text) => {
    expect(problems(set(where, text))).toEqual([]);
  });
});
