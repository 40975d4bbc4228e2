/**
 * pt-online-schema-change (Percona Toolkit 3.x; real-tested with Debian's 3.2.1).
 *
 * Read from the tool (its source, /usr/bin/pt-online-schema-change):
 * - progress on stderr, `Progress` with `name => "Copying $tbl"`: `printf "%s: %3d%% %s remain\n"`,
 *   e.g. "Copying `app`.`t`:  42% 00:13 remain"; the row estimate on stdout before the copy,
 *   "<ts> Copying approximately 200001 rows..."; stages on stdout ("Swapping tables...",
 *   "Successfully altered `app`.`t`.");
 * - `--pause-file F`: before every chunk, `while (-f F) { print "Sleeping 60 seconds because F exists"; sleep 60 }`;
 * - SIGINT/SIGTERM: `$oktorun = 0; exit 1`, and the cleanup then keeps the triggers and the new
 *   table ("Not dropping triggers because the tool was interrupted"): live triggers writing every
 *   change of the table into a table nobody will swap in.
 *
 * So a rollback does not interrupt pt-osc: migobs loads a small plugin (`--plugin`, pt-osc's
 * documented plugin interface) that fails the copy on SIGUSR1. pt-osc then runs its own error
 * cleanup, the one it runs for any failed copy: it drops its triggers, then the new table, and
 * reports "`db`.`t` was not altered". The plugin also wakes the pause loop's 60 s sleep on SIGUSR2,
 * so a resume takes effect at once.
 */
import { join } from 'node:path';
import { flagValue, hasFlag, type Prepared, type ToolAdapter, type ToolEvent, type ToolHandle } from './types';

/** The plugin file migobs writes. Constant text: nothing from the user is interpolated. */
export const PT_OSC_PLUGIN = `# Written by \`migobs run\` for pt-online-schema-change's --plugin interface; removed when the run ends.
# SIGUSR1 (migobs sends it on a rollback verdict) fails the copy: pt-osc then runs its own error
# cleanup, which drops its triggers and the new table (SIGINT would keep both).
# SIGUSR2 (sent on resume) interrupts the 60 s sleep of the --pause-file loop.
package pt_online_schema_change_plugin;
use strict;
sub new {
   my ($class, %args) = @_;
   return bless { %args }, $class;
}
sub init {
   $SIG{USR1} = sub { die "migobs run: rollback verdict: aborting the copy (SIGUSR1)\\n" };
   $SIG{USR2} = sub { };
   print "migobs run: plugin ready (SIGUSR1 aborts the copy with cleanup, SIGUSR2 wakes a pause)\\n";
}
sub after_copy_rows {
   # Past the copy pt-osc swaps the tables: a short step that must not be cut in half.
   $SIG{USR1} = sub { print STDERR "migobs run: rollback asked after the copy; pt-osc is swapping tables and is not interrupted\\n" };
}
1;
`;

const PROGRESS = /^Copying (.+): +([0-9]{1,3})% (\S+) remain\s*$/;
const ESTIMATE = /(?:^|\s)Copying approximately ([0-9]+) rows\.\.\.\s*$/;
const PAUSED = /^Sleeping \S+ seconds because (.+) exists\s*$/;

export class PtOscAdapter implements ToolAdapter {
  readonly tool = 'pt-osc' as const;
  readonly name = 'pt-online-schema-change';
  readonly pauseAck = 'prints "Sleeping N seconds because <pause file> exists" before each chunk it does not copy';
  private total: number | undefined;
  private pluginReady = false;
  private inPauseLoop = false;

  prepare(argv: string[], workDir: string, opts: { progressSeconds: number }): Prepared | string {
    if (!argv.length) return 'give the pt-online-schema-change command line after --';
    if (hasFlag(argv, '--plugin')) {
      return '--plugin is already given: migobs run needs pt-osc\'s one plugin slot to abort a copy with cleanup on rollback (SIGINT would leave the triggers and the new table). Remove --plugin, or run pt-osc under `migobs gate --serve` yourself';
    }
    const out = [...argv];
    const notes: string[] = [];
    const cleanup: string[] = [];
    let pauseFile = flagValue(argv, '--pause-file');
    if (pauseFile === undefined) {
      pauseFile = join(workDir, 'pause');
      out.push('--pause-file', pauseFile);
      notes.push(`added --pause-file ${pauseFile} (pt-osc sleeps while it exists)`);
      cleanup.push(pauseFile);
    } else notes.push(`using your --pause-file ${pauseFile}: migobs creates it to pause and removes it to resume`);
    const plugin = join(workDir, 'migobs-pt-osc-plugin.pl');
    out.push('--plugin', plugin);
    cleanup.push(plugin);
    notes.push(`added --plugin ${plugin} (on rollback it fails the copy so pt-osc drops its triggers and new table)`);
    if (hasFlag(argv, '--quiet', '-q')) notes.push('WARNING: --quiet disables pt-osc\'s progress: no rows are reported and a tool ignoring the pause cannot be detected');
    else if (!hasFlag(argv, '--progress')) {
      out.push('--progress', `time,${opts.progressSeconds}`);
      notes.push(`added --progress time,${opts.progressSeconds} (progress lines on stderr)`);
    }
    if (!hasFlag(argv, '--execute')) notes.push('no --execute: pt-osc runs as a dry run');
    return { argv: out, notes, pauseFile, files: { [plugin]: PT_OSC_PLUGIN }, cleanup };
  }

  parseLine(line: string): ToolEvent[] {
    let m = PROGRESS.exec(line);
    if (m) {
      const percent = Math.min(100, Number(m[2]));
      this.inPauseLoop = false;
      return [{ kind: 'progress', percent, ...(this.total !== undefined ? { rowsTotal: this.total, rowsDone: Math.round((percent / 100) * this.total) } : {}) }, { kind: 'stage', stage: 'copy' }];
    }
    if ((m = ESTIMATE.exec(line))) {
      this.total = Number(m[1]);
      return [{ kind: 'progress', rowsTotal: this.total, rowsDone: 0, percent: 0 }, { kind: 'stage', stage: 'copy' }];
    }
    if (PAUSED.test(line)) {
      this.inPauseLoop = true;
      return [{ kind: 'paused' }];
    }
    if (/Copied rows OK\.\s*$/.test(line)) return [{ kind: 'progress', percent: 100, ...(this.total !== undefined ? { rowsTotal: this.total, rowsDone: this.total } : {}) }];
    if (/Swapping tables\.\.\.\s*$/.test(line)) return [{ kind: 'stage', stage: 'cut-over' }];
    if (/^Successfully altered /.test(line)) return [{ kind: 'stage', stage: 'done' }];
    if (/^migobs run: plugin ready/.test(line)) this.pluginReady = true;
    return [];
  }

  pause(h: ToolHandle, p: Prepared): void {
    h.touch(p.pauseFile!);
  }

  resume(h: ToolHandle, p: Prepared): void {
    h.remove(p.pauseFile!);
    // Only inside the pause loop: the plugin's handler is installed there (an unhandled SIGUSR2 kills).
    if (this.pluginReady && this.inPauseLoop) h.signal('SIGUSR2');
    this.inPauseLoop = false;
  }

  abort(h: ToolHandle): string {
    // Before the plugin is ready pt-osc has created nothing yet: SIGUSR1's default action ends it.
    h.signal('SIGUSR1');
    return this.pluginReady
      ? 'sent SIGUSR1: the migobs plugin fails the copy, and pt-osc\'s own cleanup drops its triggers and the new table'
      : 'sent SIGUSR1 before pt-osc loaded the plugin: it ends before creating anything';
  }
}
