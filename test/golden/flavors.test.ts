/**
 * Golden files of the deploy flavours (docs/deploy.md): examples/orders-region-backfill.yaml generated with every
 * flavour but `files` and the deploy settings of test/fixtures/deploy/migobs.config.yaml, compared
 * byte for byte with test/golden/flavors/<flavour>/. Update with `npm run golden:update`, review the
 * diff. The built CLI must write the same bytes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../src/generate/index';
import { FLAVOR_NAMES } from '../../src/generate/flavors/index';
import { OUT_META } from '../../src/generate/names';
import { loadConfig } from '../../src/load/config';
import { loadDefinitions } from '../../src/pipeline';
import { migobs, REPO } from '../helpers/cli';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const EXAMPLE = join(REPO, 'examples', 'orders-region-backfill.yaml');
const CONFIG = join(REPO, 'test', 'fixtures', 'deploy', 'migobs.config.yaml');
const FLAVORS = FLAVOR_NAMES.filter((f) => f !== 'files');

function listFiles(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
}

describe.each(FLAVORS)('golden flavour %s', (flavor) => {
  const goldenDir = join(REPO, 'test', 'golden', 'flavors', flavor);
  const generate = () => {
    const { config } = loadConfig(CONFIG);
    const r = loadDefinitions([EXAMPLE], config);
    expect(r.diagnostics).toEqual([]);
    return generateAll(r.migrations.map((m) => m.model), [flavor]);
  };

  it('matches the golden files', () => {
    const files = generate();
    expect(files.length).toBeGreaterThan(0);
    if (UPDATE) {
      rmSync(goldenDir, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(dirname(join(goldenDir, f.path)), { recursive: true });
        writeFileSync(join(goldenDir, f.path), f.content);
      }
    }
    expect(listFiles(goldenDir).sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(goldenDir, f.path), 'utf8'));
  });

  it('the built CLI writes the same bytes', () => {
    const out = mkdtempSync(join(tmpdir(), `migobs-golden-flavor-${flavor}-`));
    const r = migobs(['--config', CONFIG, 'generate', EXAMPLE, '--out-dir', out, '--quiet', '--flavor', flavor]);
    expect(r.code, r.stderr).toBe(0);
    const written = listFiles(out).filter((f) => f !== OUT_META.manifest).sort();
    expect(written).toEqual(listFiles(goldenDir).sort());
    for (const f of written) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(goldenDir, f), 'utf8'));
    rmSync(out, { recursive: true, force: true });
  });
});
