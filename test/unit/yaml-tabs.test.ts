/** Regression (found by fuzzing): user text with tabs must not produce YAML that Go's parser rejects. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateMigration } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { toYaml } from '../../src/render/serialize';
import { check } from '../helpers/definitions';
import { writeTree } from '../helpers/outputs';
import { PROMTOOL_TEST_MS, PROMTOOL_TEST_TIMEOUT, runTool } from '../helpers/tools';

describe('YAML output with tabs, control characters and Unicode line separators', () => {
  it('round-trips exactly', () => {
    const text = 'line one\n\tindented with a tab\n\u0007bell \u2028 \u2029 \u0085 \ufeff';
    expect(parse(toYaml({ a: text }))).toEqual({ a: text });
  });
  it('the rules stay valid for promtool when titles and remediation start with tabs', () => {
    const r = check((d) => {
      d.metadata.title = '\t tab-led title {{ x }}\nsecond line \u2028 \u2029';
      d.metadata.owner = '\t team';
      d.spec.gates![0]!.title = '\t tab-led gate\nwith a second line';
      d.spec.gates![0]!.remediation = '\t1. halve the batch\n\t2. wait';
      d.spec.gates![1 - 1]!.title += ' \u2029 paragraph \u2028 line';
    });
    expect(r.diagnostics).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'migobs-tabs-'));
    const model = r.migrations[0]!.model;
    writeTree(dir, generateMigration(model));
    const res = runTool('promtool', ['check', 'rules', FILES.rules(model.id)], { cwd: dir });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    // The generated unit tests expect the exact annotation text: Prometheus prints the user text verbatim.
    const t = runTool('promtool', ['test', 'rules', FILES.rulesTest(model.id)], { cwd: dir, timeoutMs: PROMTOOL_TEST_MS });
    expect(t.code, t.stdout.slice(0, 3000) + t.stderr).toBe(0);
  }, PROMTOOL_TEST_TIMEOUT);
});
