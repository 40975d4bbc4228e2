/**
 * Golden files of the deploy flavours (docs/deploy.md): examples/orders-region-backfill.yaml generated with every
 * flavour but `files` and the deploy settings of test/fixtures/deploy/migobs.config.yaml, compared
 * byte for byte with test/golden/flavors/<flavour>/. Update with `npm run golden:update`, review the
 * diff. The built CLI must write the same bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../src/generate/index';
import { FLAVOR_NAMES } from '../../src/generate/flavors/index';
import { loadConfig } from '../../src/load/config';
import { loadDefinitions } from '../../src/pipeline';
import { migobs, REPO } from '../helpers/cli';
import { expectGolden, expectWrittenGolden } from '../helpers/golden';

const EXAMPLE = join(REPO, 'examples', 'orders-region-backfill.yaml');
const CONFIG = join(REPO, 'test', 'fixtures', 'deploy', 'migobs.config.yaml');
const FLAVORS = FLAVOR_NAMES.filter((f) => f !== 'files');

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
    expectGolden(goldenDir, files);
  });

  it('the built CLI writes the same bytes', () => {
    const out = mkdtempSync(join(tmpdir(), `migobs-golden-flavor-${flavor}-`));
    const r = migobs(['--config', CONFIG, 'generate', EXAMPLE, '--out-dir', out, '--quiet', '--flavor', flavor]);
    expect(r.code, r.stderr).toBe(0);
    expectWrittenGolden(out, goldenDir);
    rmSync(out, { recursive: true, force: true });
  });
});
