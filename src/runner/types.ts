/**
 * `migobs run`: one adapter per migration tool (docs/integrations.md "migobs run"). An adapter knows
 * three things about its tool, all taken from the tool's own documented interface:
 *
 * - how to make its command line controllable (the flags migobs adds when they are absent);
 * - how to read its own status output (progress, stage, throttled, lag);
 * - how to pause, resume and abort it the tool's own way.
 *
 * Adapters are pure apart from the control actions, which only touch the files and signals the
 * supervisor hands them (src/runner/supervisor.ts).
 */

/** What the tool is doing, in tool-neutral words; mapped onto the definition's phases. */
export type Stage = 'start' | 'copy' | 'postponed' | 'cut-over' | 'done';
export const STAGES: readonly Stage[] = ['start', 'copy', 'postponed', 'cut-over', 'done'];

/** One fact read from one line of the tool's output. */
export type ToolEvent =
  | { kind: 'progress'; rowsDone?: number; rowsTotal?: number; percent?: number }
  | { kind: 'stage'; stage: Stage }
  /** The tool says it holds itself back (its own throttle state), and why. */
  | { kind: 'throttled'; throttled: boolean; reason?: string }
  /** The tool acknowledged the pause migobs asked for (pt-osc "Sleeping ... because <file> exists"). */
  | { kind: 'paused' }
  | { kind: 'lag'; seconds: number };

/** The command line to run, with what migobs added to it and why. */
export interface Prepared {
  argv: string[];
  /** One line per flag added or reused, for the log. */
  notes: string[];
  /** Files the adapter controls the tool with (created/removed by pause/resume/abort). */
  pauseFile?: string;
  abortFile?: string;
  /** Extra environment for the tool. */
  env?: Record<string, string>;
  /** Files to write before the tool starts (path -> content), e.g. the pt-osc plugin. */
  files?: Record<string, string>;
  /** Files migobs created and removes at the end. */
  cleanup: string[];
  /** gh-ost --serve-socket-file, polled with `status`. */
  socket?: string;
}

/** What the supervisor lets an adapter do to the running tool. */
export interface ToolHandle {
  /** Send a signal to the tool's process. */
  signal(sig: NodeJS.Signals): void;
  /** Create (empty) or remove a control file. */
  touch(file: string): void;
  remove(file: string): void;
  log(line: string): void;
}

export interface ToolAdapter {
  readonly tool: 'pt-osc' | 'gh-ost' | 'command';
  /** The tool's name in messages. */
  readonly name: string;
  /** Add the control flags the tool needs; a string is a usage error. */
  prepare(argv: string[], workDir: string, opts: { progressSeconds: number }): Prepared | string;
  /** Facts in one line of output (stdout or stderr). */
  parseLine(line: string): ToolEvent[];
  pause(h: ToolHandle, p: Prepared): void;
  resume(h: ToolHandle, p: Prepared): void;
  /** Stop it the tool's safe way; returns what was done, for the log. */
  abort(h: ToolHandle, p: Prepared): string;
  /** How the tool acknowledges a pause, for the log. */
  readonly pauseAck: string;
}

/** `--flag value` or `--flag=value` in an argument list: the value, or undefined when absent. */
export function flagValue(argv: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of names) {
      if (a === n) return argv[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

/** Whether a flag is present at all (with or without a value). */
export function hasFlag(argv: string[], ...names: string[]): boolean {
  return argv.some((a) => names.some((n) => a === n || a.startsWith(`${n}=`)));
}

/**
 * The command line for the log, with passwords replaced by `***`: `--password X`, `--password=X`,
 * `-pX` (pt-osc's short form) and the `p=` part of a pt-osc DSN (`h=db,u=me,p=secret,D=app`).
 */
export function redactArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--?password$/.test(a) || a === '-p') {
      out.push(a);
      if (i + 1 < argv.length) out.push('***');
      i++;
    } else if (/^--?password=/.test(a)) out.push(a.replace(/=.*$/s, '=***'));
    else if (/^-p./.test(a) && !a.startsWith('--')) out.push('-p***');
    else if (/^(?:[A-Za-z]=[^,]*,)*[A-Za-z]=[^,]*$/.test(a) && /(?:^|,)p=/.test(a)) out.push(a.replace(/(^|,)p=[^,]*/g, '$1p=***'));
    else out.push(a);
  }
  return out;
}
