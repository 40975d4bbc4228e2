/**
 * Every shipped example: rules.yaml passes `promtool check rules --lint=all --lint-fatal` and the
 * generated rules.test.yaml passes `promtool test rules`, with the real promtool.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILES } from '../../src/generate/names';
import { rulesFiles } from '../../src/generate/rules';
import { buildRuleTests } from '../../src/generate/rules/tests';
import { loadDefinitions } from '../../src/pipeline';
import { writeTree } from '../helpers/outputs';
import { PROMTOOL_TEST_MS, PROMTOOL_TEST_TIMEOUT, runTool } from '../helpers/tools';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => join(EXAMPLES, f));

export function writeRules(files: Array<{ path: string; content: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-rules-'));
  writeTree(dir, files);
  return dir;
}

describe.each(exampleFiles)('%s', (file) => {
  const result = loadDefinitions([file]);
  it('loads', () => expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]));
  const model = result.migrations[0]?.model;
  it('the rules pass promtool check rules --lint=all --lint-fatal', () => {
    const dir = writeRules(rulesFiles(model!));
    const r = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', FILES.rules(model!.id)], { cwd: dir });
    expect(r.stderr + r.stdout).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
  // Minutes on a loaded 2-core machine: a deadline, not a speed goal (speed lives in `npm run bench`).
  it('the generated tests pass promtool test rules', () => {
    const dir = writeRules(rulesFiles(model!));
    const r = runTool('promtool', ['test', 'rules', FILES.rulesTest(model!.id)], { cwd: dir, timeoutMs: PROMTOOL_TEST_MS });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  }, PROMTOOL_TEST_TIMEOUT);
  it('every gate has its full set of cases (no case skipped)', () => {
    expect(buildRuleTests(model!).skipped).toEqual([]);
  });
});
