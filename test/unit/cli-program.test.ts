/**
 * `migobs <command> ...` builds only that command (src/cli/main.ts buildProgram(only)). Whatever
 * the user types after it must be parsed, refused and helped exactly as by the whole program:
 * each case runs through both, in-process, and compares what the action would get (or the error
 * and its output).
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_NAMES } from '../../src/cli/main';

type Outcome = { action?: { command: string; args: unknown[]; opts: Record<string, unknown>; global: Record<string, unknown> }; error?: string; out: string };

/** Parse `args` (after `migobs`) with `program`; the action is never run. */
async function outcome(program: Command, args: string[]): Promise<Outcome> {
  let out = '';
  const capture = { writeOut: (s: string) => void (out += s), writeErr: (s: string) => void (out += `[err]${s}`), outputError: (s: string, write: (s: string) => void) => write(s) };
  const STOP = new Error('stop before the action');
  let action: Outcome['action'];
  for (const c of [program, ...program.commands]) c.exitOverride().configureOutput(capture);
  program.hook('preAction', (_root, cmd) => {
    action = { command: cmd.name(), args: [...cmd.processedArgs], opts: { ...cmd.opts() }, global: { ...program.opts() } };
    throw STOP;
  });
  try {
    await program.parseAsync(['node', 'migobs', ...args]);
  } catch (e) {
    if (e !== STOP) return { error: (e as { code?: string }).code ?? String(e), out };
  }
  return { action, out };
}

describe('the program built for one command', () => {
  it('COMMAND_NAMES lists every command of the whole program, in its order', () => {
    expect(buildProgram().commands.map((c) => c.name())).toEqual([...COMMAND_NAMES]);
  });

  it.each(COMMAND_NAMES)('%s: the same help, options and arguments as in the whole program', (name) => {
    const whole = buildProgram().commands.find((c) => c.name() === name)!;
    const alone = buildProgram(name);
    expect(alone.commands.map((c) => c.name())).toEqual([name]);
    expect(alone.commands[0]!.helpInformation()).toBe(whole.helpInformation());
    expect(alone.options.map((o) => o.flags)).toEqual(buildProgram().options.map((o) => o.flags));
  });

  it.each<[string, string[]]>([
    ['validate, files', ['validate', 'a.yaml', 'dir/']],
    ['validate --json', ['validate', '--json', 'a.yaml']],
    ['validate, no file', ['validate']],
    ['validate, an unknown option', ['validate', '--jsn', 'a.yaml']],
    ['validate --help', ['validate', '--help']],
    ['generate, defaults only', ['generate', 'a.yaml']],
    ['generate with every option', ['generate', 'a.yaml', '--out-dir', 'o', '--check', '-q', '--lock-timeout', '5s', '--flavor', 'mimir', '--flavor=configmap']],
    ['generate --out-dir=', ['generate', '--out-dir=o', 'a.yaml']],
    ['generate, an option without its value', ['generate', 'a.yaml', '--out-dir']],
    ['lint, defaults', ['lint', 'a.yaml']],
    ['lint, a bad choice', ['lint', 'a.yaml', '--format', 'xml']],
    ['lint --fail-on warning --format github', ['lint', 'a.yaml', '--fail-on', 'warning', '--format', 'github']],
    ['gate with repeated options', ['gate', 'a.yaml', '--gate', 'x', '--gate', 'y', '--header', 'A: b']],
    ['report, a required option missing', ['report', 'a.yaml', '--from', 'now-1h']],
    ['run, the tool after --', ['run', 'a.yaml', '--tool', 'pt-osc', '--', 'pt-online-schema-change', '--execute']],
    ['schema, an extra argument', ['schema', 'x']],
    ['init, defaults', ['init', 'my-id', '--type', 'backfill']],
    ['a global option after the command', ['validate', 'a.yaml', '--config', 'c.yaml', '--debug']],
    ['--no-color after the command', ['presets', '--no-color']],
  ])('%s: parsed as by the whole program', async (_name, args) => {
    const alone = await outcome(buildProgram(args[0]), args);
    const whole = await outcome(buildProgram(), args);
    expect(alone).toEqual(whole);
    // The table means something: each case either reached an action or was refused with output.
    expect(alone.action !== undefined || alone.out !== '').toBe(true);
  });

  it.each<[string, string[]]>([
    ['a global option first', ['--config', 'c.yaml', 'validate', 'a.yaml']],
    ['help', ['help', 'generate']],
    ['a typo', ['valdate', 'a.yaml']],
    ['--help', ['--help']],
  ])('%s: the whole program', async (_name, args) => {
    expect(buildProgram(args[0]).commands.length).toBe(COMMAND_NAMES.length);
    expect(await outcome(buildProgram(args[0]), args)).toEqual(await outcome(buildProgram(), args));
  });
});
