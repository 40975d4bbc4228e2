/**
 * Golden files: every output of every shipped example, compared byte for byte with
 * test/golden/<case>/. Review changes as diffs; update them with `npm run golden:update`.
 *
 * Each case is also checked by the real tools: promtool check rules (lint fatal), promtool test
 * rules, amtool check-config on the fragment merged into a base config with its own routes and
 * receivers, amtool config routes test for every routing case, the Grafana JSON schemas and the
 * Markdown link check.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { generateAll } from '../../src/generate/index';
import { amtoolRouteArgs, parseRouteCases } from '../../src/generate/alertmanager/index';
import { FILES, OUT_META } from '../../src/generate/names';
import { loadDefinitions } from '../../src/pipeline';
import { renderManifest } from '../../src/write/manifest';
import { migobs, REPO } from '../helpers/cli';
import { validateDashboard } from '../helpers/grafana-schema';
import { expectGolden, expectWrittenGolden } from '../helpers/golden';
import { checkLinks } from '../helpers/links';
import { PROMTOOL_TEST_MS, PROMTOOL_TEST_TIMEOUT, runTool } from '../helpers/tools';

/** Every shipped example, plus definitions kept only as golden cases (test/fixtures/golden). */
const yamlIn = (dir: string): string[] => readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(REPO, dir, f));
const CASES: [name: string, definition: string][] = [...yamlIn('examples'), ...yamlIn('test/fixtures/golden')].map((f) => [basename(f).replace(/\.yaml$/, ''), f]);
const BASE_AM = join(REPO, 'test', 'fixtures', 'alertmanager', 'base.yml');

function generate(definition: string) {
  const r = loadDefinitions([definition]);
  expect(r.diagnostics).toEqual([]);
  return { files: generateAll(r.migrations.map((m) => m.model)), id: r.migrations[0]!.model.id };
}

describe.each(CASES)('golden %s', (caseName, example) => {
  const goldenDir = join(REPO, 'test', 'golden', caseName);

  it('matches the golden files', () => {
    const { files } = generate(example);
    expectGolden(goldenDir, files);
  });

  // The shipped CLI is a separate esbuild bundle (with the dashboard SDK trimmed at build time):
  // it must write exactly the golden bytes too.
  it('the built CLI (dist/) writes the same bytes', () => {
    const out = mkdtempSync(join(tmpdir(), `migobs-golden-cli-${caseName}-`));
    const r = migobs(['generate', example, '--out-dir', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const written = expectWrittenGolden(out, goldenDir);
    // The manifest lists the files with the SHA-256 of their bytes, and the migration's input hash.
    const manifest = JSON.parse(readFileSync(join(out, OUT_META.manifest), 'utf8')) as { manifestVersion: number; files: string[]; hashes: Record<string, string>; inputs: Record<string, string> };
    expect(manifest.files).toEqual(written);
    expect(manifest.hashes).toEqual(Object.fromEntries(written.map((f) => [f, createHash('sha256').update(readFileSync(join(out, f))).digest('hex')])));
    expect(Object.keys(manifest.inputs)).toEqual([caseName]);
    expect(readFileSync(join(out, OUT_META.manifest), 'utf8')).toBe(renderManifest(written, { hashes: new Map(Object.entries(manifest.hashes)), inputs: new Map(Object.entries(manifest.inputs)) }));
    rmSync(out, { recursive: true, force: true });
  });

  // The result cache (docs/incremental.md) hands generate the model stored by an earlier run
  // instead of parsing the definition again: the files must be the golden bytes all the same.
  it('the built CLI writes the same bytes from a cached check', () => {
    const root = mkdtempSync(join(tmpdir(), `migobs-golden-cache-${caseName}-`));
    const env = { MIGOBS_CACHE_DIR: join(root, 'cache'), MIGOBS_CACHE_DEBUG: '1' };
    const first = migobs(['generate', example, '--out-dir', join(root, 'out1'), '--quiet'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`migobs cache: stored ${example}`);
    const second = migobs(['generate', example, '--out-dir', join(root, 'out2'), '--quiet'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`migobs cache: hit ${example}`);
    expectWrittenGolden(join(root, 'out2'), goldenDir);
    rmSync(root, { recursive: true, force: true });
  });

  it('is deterministic', () => {
    expect(generate(example).files).toEqual(generate(example).files);
  });

  it('passes promtool, amtool, the Grafana schemas and the link check', () => {
    const { files, id } = generate(example);
    const out = mkdtempSync(join(tmpdir(), `migobs-golden-${caseName}-`));
    for (const f of files) {
      mkdirSync(dirname(join(out, f.path)), { recursive: true });
      writeFileSync(join(out, f.path), f.content);
    }
    const check = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', FILES.rules(id)], { cwd: out });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    // From the output folder: the test file's rule_files (../rules/<id>.yaml) resolves relative to the test file.
    // Minutes on a loaded 2-core machine (six of these run side by side): a deadline, not a speed goal.
    const test = runTool('promtool', ['test', 'rules', FILES.rulesTest(id)], { cwd: out, timeoutMs: PROMTOOL_TEST_MS });
    expect(test.code, test.stdout + test.stderr).toBe(0);

    const merged = migobs(['alertmanager', '--base', BASE_AM, example]);
    expect(merged.code, merged.stderr).toBe(0);
    const amFile = join(out, 'alertmanager.merged.yml');
    writeFileSync(amFile, merged.stdout);
    const amCheck = runTool('amtool', ['check-config', amFile]);
    expect(amCheck.code, amCheck.stdout + amCheck.stderr).toBe(0);
    const cases = parseRouteCases(readFileSync(join(out, FILES.alertmanagerTest(id)), 'utf8'));
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const r = runTool('amtool', ['config', 'routes', 'test', `--config.file=${amFile}`, ...amtoolRouteArgs(c)]);
      expect(r.code, `${JSON.stringify(c)}\n${r.stdout}${r.stderr}`).toBe(0);
    }

    expect(validateDashboard(JSON.parse(readFileSync(join(out, FILES.dashboard(id)), 'utf8')))).toEqual([]);
    expect(checkLinks(out)).toEqual([]);
  }, PROMTOOL_TEST_TIMEOUT);
});
