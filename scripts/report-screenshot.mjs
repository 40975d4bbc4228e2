// Refresh docs/report-example.png (run once per release): builds the CLI, then runs the report's
// end-to-end test (synthetic history in a real Prometheus, the page in headless Chromium) with
// UPDATE_SCREENSHOT=1, which saves the first screen of the report as rendered. Needs prometheus,
// promtool and /usr/bin/chromium (scripts/ensure-tools.mjs).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
run(process.execPath, [join(root, 'scripts/build.mjs'), '--no-types']);
run(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/e2e/report.test.ts', '-t', 'Chromium'], { UPDATE_SCREENSHOT: '1' });
console.log('wrote docs/report-example.png');
