/** The `migobs run` adapters: command-line preparation and the tools' own output formats. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/live/setup';
import { GhOstAdapter } from '../../src/runner/gh-ost';
import { stagePhases } from '../../src/runner/phases';
import { PT_OSC_PLUGIN, PtOscAdapter } from '../../src/runner/pt-osc';
import { redactArgv, type Prepared, type ToolHandle } from '../../src/runner/types';

const OPTS = { progressSeconds: 2 };

function recorder(): ToolHandle & { calls: string[] } {
  const calls: string[] = [];
  return { calls, signal: (s) => calls.push(`signal ${s}`), touch: (f) => calls.push(`touch ${f}`), remove: (f) => calls.push(`remove ${f}`), log: () => undefined };
}

describe('pt-osc adapter', () => {
  it('adds --pause-file, its plugin and --progress when absent', () => {
    const p = new PtOscAdapter().prepare(['pt-online-schema-change', '--execute', '--alter', 'ADD COLUMN c INT', 'D=app,t=t'], '/w', OPTS) as Prepared;
    expect(p.argv).toEqual(['pt-online-schema-change', '--execute', '--alter', 'ADD COLUMN c INT', 'D=app,t=t', '--pause-file', '/w/pause', '--plugin', '/w/migobs-pt-osc-plugin.pl', '--progress', 'time,2']);
    expect(p.pauseFile).toBe('/w/pause');
    expect(p.files).toEqual({ '/w/migobs-pt-osc-plugin.pl': PT_OSC_PLUGIN });
    expect(p.cleanup.sort()).toEqual(['/w/migobs-pt-osc-plugin.pl', '/w/pause']);
  });

  it.each([
    [['--pause-file', '/run/p'], '/run/p'],
    [['--pause-file=/run/q'], '/run/q'],
  ])('reuses the user\'s pause file %j', (flags, file) => {
    const p = new PtOscAdapter().prepare(['pt-online-schema-change', '--execute', ...flags, '--progress', 'percentage,1', 'D=a,t=t'], '/w', OPTS) as Prepared;
    expect(p.pauseFile).toBe(file);
    expect(p.cleanup).not.toContain(file);
    expect(p.argv.filter((a) => a.startsWith('--pause-file'))).toHaveLength(1);
    expect(p.argv).not.toContain('time,2');
  });

  it('refuses a command line with its own --plugin, and says why', () => {
    expect(new PtOscAdapter().prepare(['pt-online-schema-change', '--plugin=/x.pl', 'D=a,t=t'], '/w', OPTS)).toMatch(/--plugin is already given: .*SIGINT would leave the triggers and the new table/);
    expect(new PtOscAdapter().prepare([], '/w', OPTS)).toMatch(/after --/);
  });

  it('warns that --quiet hides the progress and a dry run without --execute', () => {
    const p = new PtOscAdapter().prepare(['pt-online-schema-change', '--quiet', 'D=a,t=t'], '/w', OPTS) as Prepared;
    expect(p.notes.join('\n')).toMatch(/--quiet disables pt-osc's progress/);
    expect(p.notes.join('\n')).toMatch(/no --execute: pt-osc runs as a dry run/);
    expect(p.argv).not.toContain('--progress');
  });

  it('reads pt-osc 3.2.1 output as it prints it', () => {
    const a = new PtOscAdapter();
    expect(a.parseLine('Copying `app`.`t`:  42% 00:13 remain')).toEqual([{ kind: 'progress', percent: 42 }, { kind: 'stage', stage: 'copy' }]);
    expect(a.parseLine('2026-11-30T23:37:43 Copying approximately 200001 rows...')).toEqual([{ kind: 'progress', rowsTotal: 200001, rowsDone: 0, percent: 0 }, { kind: 'stage', stage: 'copy' }]);
    expect(a.parseLine('Copying `app`.`t`:  50% 1+02:03:04 remain')).toEqual([{ kind: 'progress', percent: 50, rowsTotal: 200001, rowsDone: 100001 }, { kind: 'stage', stage: 'copy' }]);
    expect(a.parseLine('Copying `my db`.`t: x`: 100% 00:00 remain')[0]).toMatchObject({ percent: 100, rowsDone: 200001 });
    expect(a.parseLine('Sleeping 60 seconds because /w/pause exists')).toEqual([{ kind: 'paused' }]);
    expect(a.parseLine('2026-11-30T23:37:54 Copied rows OK.')).toEqual([{ kind: 'progress', percent: 100, rowsTotal: 200001, rowsDone: 200001 }]);
    expect(a.parseLine('2026-11-30T23:37:54 Swapping tables...')).toEqual([{ kind: 'stage', stage: 'cut-over' }]);
    expect(a.parseLine('Successfully altered `app`.`t`.')).toEqual([{ kind: 'stage', stage: 'done' }]);
    expect(a.parseLine('Copying `app`.`t`: forty% remain')).toEqual([]);
  });

  it('pause creates the file; resume removes it and wakes the pause loop only once the plugin is loaded and pt-osc sleeps; abort sends SIGUSR1', () => {
    const a = new PtOscAdapter();
    const p = a.prepare(['pt-online-schema-change', 'D=a,t=t'], '/w', OPTS) as Prepared;
    const h = recorder();
    a.pause(h, p);
    a.resume(h, p);
    expect(h.calls).toEqual(['touch /w/pause', 'remove /w/pause']);
    a.parseLine('migobs run: plugin ready (SIGUSR1 aborts the copy with cleanup, SIGUSR2 wakes a pause)');
    a.pause(h, p);
    a.parseLine('Sleeping 60 seconds because /w/pause exists');
    a.resume(h, p);
    expect(h.calls.slice(2)).toEqual(['touch /w/pause', 'remove /w/pause', 'signal SIGUSR2']);
    expect(a.abort(h)).toMatch(/pt-osc's own cleanup drops its triggers and the new table/);
    expect(h.calls.at(-1)).toBe('signal SIGUSR1');
  });

  it('the plugin is pt-osc\'s documented plugin class, dies on SIGUSR1 only until the copy is done', () => {
    expect(PT_OSC_PLUGIN).toMatch(/^package pt_online_schema_change_plugin;$/m);
    expect(PT_OSC_PLUGIN).toMatch(/sub init \{\n {3}\$SIG\{USR1\} = sub \{ die /);
    expect(PT_OSC_PLUGIN).toMatch(/sub after_copy_rows \{[^}]*\$SIG\{USR1\} = sub \{ print STDERR/);
  });
});

describe('gh-ost adapter', () => {
  const LINE = 'Copy: 12000/30000 40.0%; Applied: 17; Backlog: 0/1000; Time: 1m2s(total), 58s(copy); streamer: mysql-bin.000123:456789; Lag: 0.01s, HeartbeatLag: 0.35s, State: migrating; ETA: 1m27s';

  it('adds its own throttle and panic flag files (never the shared /tmp/gh-ost.throttle) and finds the socket', () => {
    const p = new GhOstAdapter().prepare(['gh-ost', '--execute', '--serve-socket-file=/run/g.sock'], '/w') as Prepared;
    expect(p.argv).toEqual(['gh-ost', '--execute', '--serve-socket-file=/run/g.sock', '--throttle-additional-flag-file=/w/throttle', '--panic-flag-file=/w/panic']);
    expect(p).toMatchObject({ pauseFile: '/w/throttle', abortFile: '/w/panic', socket: '/run/g.sock' });
    const own = new GhOstAdapter().prepare(['gh-ost', '-throttle-additional-flag-file', '/t', '--panic-flag-file=/p'], '/w') as Prepared;
    expect(own).toMatchObject({ pauseFile: '/t', abortFile: '/p', cleanup: [] });
    expect(own.notes.join('\n')).toMatch(/no --execute/);
  });

  it.each([
    [LINE, [{ kind: 'progress', rowsDone: 12000, rowsTotal: 30000, percent: 40 }, { kind: 'lag', seconds: 0.35 }, { kind: 'throttled', throttled: false }, { kind: 'stage', stage: 'copy' }]],
    ['2026-11-30 12:00:00 INFO ' + LINE.replace('State: migrating', 'State: throttled, flag-file'), [{ kind: 'progress', rowsDone: 12000, rowsTotal: 30000, percent: 40 }, { kind: 'lag', seconds: 0.35 }, { kind: 'throttled', throttled: true, reason: 'flag-file' }, { kind: 'stage', stage: 'copy' }]],
    [LINE.replace('State: migrating; ETA: 1m27s', 'State: postponing cut-over; ETA: due'), [{ kind: 'progress', rowsDone: 12000, rowsTotal: 30000, percent: 40 }, { kind: 'lag', seconds: 0.35 }, { kind: 'throttled', throttled: false }, { kind: 'stage', stage: 'postponed' }]],
    // gh-ost before HeartbeatLag was added: the replication lag.
    [LINE.replace(', HeartbeatLag: 0.35s', ''), [{ kind: 'progress', rowsDone: 12000, rowsTotal: 30000, percent: 40 }, { kind: 'lag', seconds: 0.01 }, { kind: 'throttled', throttled: false }, { kind: 'stage', stage: 'copy' }]],
    ['2026-11-30 12:00:00 INFO Waiting for events up to lock', [{ kind: 'stage', stage: 'cut-over' }]],
    ['2026-11-30 12:00:00 INFO Done migrating `app`.`t`', [{ kind: 'stage', stage: 'done' }]],
    ['# Migrating `app`.`t`; Ghost table is `app`.`_t_gho`', []],
  ])('reads %s', (line, events) => {
    expect(new GhOstAdapter().parseLine(line)).toEqual(events);
  });

  it('pause/resume use the throttle flag file, abort the panic flag file', () => {
    const a = new GhOstAdapter();
    const p = a.prepare(['gh-ost'], '/w') as Prepared;
    const h = recorder();
    a.pause(h, p);
    a.resume(h, p);
    expect(a.abort(h, p)).toMatch(/gh-ost stops within a second, without cleanup/);
    expect(h.calls).toEqual(['touch /w/throttle', 'remove /w/throttle', 'touch /w/panic']);
  });
});

describe('--phase-map', () => {
  const model = loadModel(join(__dirname, '..', 'e2e', 'fixtures', 'run-pt-osc.yaml'));
  it('defaults to the online-rewrite phases; overrides checked against the definition', () => {
    expect(stagePhases(model)).toEqual({ start: 'preflight', copy: 'full', postponed: 'verify', 'cut-over': 'cut-over', done: 'closeout' });
    expect(stagePhases(model, ['copy=canary'])).toMatchObject({ copy: 'canary' });
    expect(stagePhases(model, ['copy'])).toMatch(/give STAGE=PHASE/);
    expect(stagePhases(model, ['swap=canary'])).toMatch(/swap is not a stage; stages: start, copy, postponed, cut-over, done/);
    expect(stagePhases(model, ['copy=canry'])).toMatch(/canry is not a phase of run-pt-osc/);
  });
});

describe('the logged command line', () => {
  it('never shows a password', () => {
    expect(redactArgv(['pt-online-schema-change', '--password', 's3cret', '--password=s3cret', '-p', 's3cret', '-ps3cret', 'h=db,u=me,p=s3cret,D=app,t=t', '--alter', 'ADD COLUMN p INT'])).toEqual(
      ['pt-online-schema-change', '--password', '***', '--password=***', '-p', '***', '-p***', 'h=db,u=me,p=***,D=app,t=t', '--alter', 'ADD COLUMN p INT'],
    );
    expect(redactArgv(['gh-ost', '-password=x', '--user', 'u', '--execute'])).toEqual(['gh-ost', '-password=***', '--user', 'u', '--execute']);
  });
});
