import { describe, expect, it } from 'vitest';
import type { TargetDefinition } from '../../../src/definition/types';
import { targetSelectorValid } from '../../../src/validate/rules/target-selector-valid';
import { located } from '../../helpers/definitions';

const withDatabase = (t: TargetDefinition) => located((d) => (d.spec.targets!.database = t));

describe(targetSelectorValid.name, () => {
  it.each<TargetDefinition>(['instance="db1:9187"', 'job=~"pg-(a|b)", env!="dev"', 'fleet', { selector: 'instance="db1:9187"', count: 1 }, { selector: 'fleet', count: 1 }])('accepts %j', (t) => {
    expect(withDatabase(t)).toEqual([]);
  });

  it.each<[TargetDefinition, string]>([
    ['job="x"} or vector(1) #', 'it cannot contain a query'],
    ['up', 'expected matchers like name="value"'],
    ['   ', 'the selector is empty, which would read every series: say `fleet` if that is what you mean'],
    ['instance=~"db(1"', 'matcher instance=~: error parsing regexp: missing closing )'],
    ['job="a", job="b"', 'can never match: job="a" contradicts job="b"'],
    ['migration_id="x"', 'may not set `migration_id`'],
    [{ selector: 'job="a", job!="a"', count: 2 }, 'can never match'],
  ])('refuses %j', (t, text) => {
    const p = withDatabase(t);
    expect(p.map((x) => x.check)).toEqual(['target-selector-valid']);
    expect(p[0]!.message).toContain(`spec.targets.database: `);
    expect(p[0]!.message).toContain(text);
  });

  it('points at the selector (string or {selector})', () => {
    expect(withDatabase('up')[0]!.text).toBe('up');
    expect(withDatabase({ selector: 'up', count: 1 })[0]!.text).toBe('up');
  });

  it('count must be a positive integer (schema)', () => {
    const p = withDatabase({ selector: 'instance="db1:9187"', count: 0 });
    expect(p.map((x) => x.check)).toEqual(['schema']);
    expect(p[0]!.message).toContain('count');
    expect(located((d) => (d.spec.targets!.database = { selector: 'x="y"', count: 1.5 }))[0]!.message).toContain('must be an integer');
    expect(located((d) => ((d.spec.targets as Record<string, unknown>).primary = 'x="y"'))[0]!.message).toContain('unknown key `primary` in spec.targets');
  });
});
