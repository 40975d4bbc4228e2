/**
 * Any other tool (`--tool command`): a migration script that honours a pause file. migobs passes the
 * file's path in MIGOBS_PAUSE_FILE (the script sleeps while it exists) and stops the script with
 * SIGTERM on rollback. The script reports its own progress with the emitter (or not at all): no
 * output is parsed, so a script ignoring the pause file cannot be detected.
 */
import { join } from 'node:path';
import type { Prepared, ToolAdapter, ToolEvent, ToolHandle } from './types';

export class CommandAdapter implements ToolAdapter {
  readonly tool = 'command' as const;
  readonly name = 'the command';
  readonly pauseAck = 'nothing (no output is parsed)';

  prepare(argv: string[], workDir: string): Prepared | string {
    if (!argv.length) return 'give the command line after --';
    const pauseFile = join(workDir, 'pause');
    return { argv, notes: [`MIGOBS_PAUSE_FILE=${pauseFile}: the command must sleep while it exists`], pauseFile, env: { MIGOBS_PAUSE_FILE: pauseFile }, cleanup: [pauseFile] };
  }

  parseLine(): ToolEvent[] {
    return [];
  }

  pause(h: ToolHandle, p: Prepared): void {
    h.touch(p.pauseFile!);
  }

  resume(h: ToolHandle, p: Prepared): void {
    h.remove(p.pauseFile!);
  }

  abort(h: ToolHandle): string {
    h.signal('SIGTERM');
    return 'sent SIGTERM';
  }
}
