/** Printed command lines survive a real shell: every argument comes back byte for byte. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { shellLine, shellQuote } from '../../src/render/shell';

const ARGS: Array<[string, string]> = [
  ['plain flag', '--collect.heartbeat.database=heartbeat'],
  ['a path with a space', '/srv/migobs exporters/migration-queries.yaml'],
  ['SQL with single quotes', "CREATE USER 'mysqld_exporter'@'localhost' IDENTIFIED BY '<password>'"],
  ['single quotes and a dollar', "it's $HOME"],
  ['backticks and a subshell', 'a `id` $(id) "q" \\ !'],
  ['a DSN with & and ?', 'postgresql://u:<p>@h:5432/db?sslmode=require&lock_timeout=2000'],
  ['empty', ''],
  ['a newline', 'two\nlines'],
];

describe('shellQuote', () => {
  it.each(ARGS)('%s', (_name, arg) => {
    const r = spawnSync('sh', ['-c', `printf '%s\\0' ${shellQuote(arg)}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${arg}\0`);
  });

  it('shellLine keeps every argument separate', () => {
    const argv = ARGS.map(([, a]) => a);
    const r = spawnSync('sh', ['-c', `printf '%s\\0' ${shellLine(argv)}`], { encoding: 'utf8' });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(argv);
  });
});
