/**
 * POSIX quoting of generated command arguments (src/render/shell.ts): every string, quoted by
 * shQuote and read by a real POSIX shell, comes back unchanged; parseShellWords reads exactly what
 * shQuoteAll writes and refuses anything a shell would expand.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShellWords, shQuote, shQuoteAll } from '../../src/render/shell';

const SEED = Number(process.env.MIGOBS_FUZZ_SEED ?? 20240613);
/** Shells to check against: dash (Debian's /bin/sh) and bash in POSIX mode when present. */
const SHELLS = [['sh'], ...(spawnSync('sh', ['-c', 'command -v bash']).status === 0 ? [['bash', '--posix']] : [])];

/** The arguments a shell sees when it runs `printf '%s\0' <quoted args>`. */
function throughShell(shell: string[], args: string[]): string[] {
  const script = `printf '%s\\0' ${shQuoteAll(args)}`;
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

// Arguments cannot hold NUL; lone surrogates cannot be encoded for a process.
const arg = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0') && !/\p{Surrogate}/u.test(s));
const HOSTILE = ["it's", "'", "''", '$(touch /tmp/x)', '`id`', '"$HOME"', '\\', '\n', 'a b', '*', '~', '!', '#x', '-e', '%s', '${x:-y}', 'a\u2028b', ''];

describe('shQuote', () => {
  it.each(SHELLS.map((s) => [s.join(' '), s] as const))('round-trips through %s', (_name, shell) => {
    expect(throughShell(shell, HOSTILE)).toEqual(HOSTILE);
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (args) => {
        expect(throughShell(shell, args)).toEqual(args);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('single-quotes every argument, even a plain one', () => {
    expect(shQuoteAll(['a', "it's", ''])).toBe("'a' 'it'\\''s' ''");
    expect(shQuote('$(x)')).toBe("'$(x)'");
  });
});

describe('parseShellWords', () => {
  it('reads back exactly what shQuoteAll writes', () => {
    expect(parseShellWords(shQuoteAll(HOSTILE))).toEqual(HOSTILE);
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 8 }), (args) => {
        expect(parseShellWords(shQuoteAll(args))).toEqual(args);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it.each([
    ['$(touch /tmp/x)', 0, 'expected a single-quoted word, found `$`'],
    ["'a' $(x)", 4, 'found `$`'],
    ["'a'`id`", 3, 'found `` ` ``'],
    ['"double"', 0, 'found `"`'],
    ["plain 'x'", 0, 'found `p`'],
    ["'unterminated", 0, 'unterminated single quote'],
    ["'a'\\n", 3, 'found `\\`'],
  ])('refuses %j (at index %i)', (line, index, message) => {
    let err: unknown;
    try {
      parseShellWords(line);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ index, message: expect.stringContaining(message.replace('`` ` ``', '```')) });
  });
});
