import { loadModel, durationOption, makeClient, type LiveOptions } from '../../live/setup';
import { INSECURE_WARNING, printable, reasonLines } from '../../live/format';
import { clipLines, frame, plainLine, takeSnapshot, type Snapshot } from '../../live/watch';

export interface WatchCommandOptions extends LiveOptions {
  interval?: string;
  once?: boolean;
}

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
/** Move up n lines to the start of the previous frame and clear to the end of the screen. */
const rewind = (lines: number): string => (lines > 0 ? `\u001b[${lines}A\r\u001b[0J` : '');

/**
 * `migobs watch <file> --prometheus-url U [--interval 5s]`: refreshes until Ctrl-C (exit 0).
 * On a terminal each refresh redraws one frame in place; otherwise it prints one plain line.
 * `--once` prints a single refresh and exits with the gate's exit code (like `migobs gate`).
 */
export async function watchCommand(file: string, opts: WatchCommandOptions): Promise<number> {
  const model = loadModel(file, opts.config);
  const intervalText = opts.interval ?? '5s';
  const intervalMs = durationOption('--interval', intervalText);
  const client = makeClient(opts);
  const out = process.stdout;
  const tty = Boolean(out.isTTY);

  let previousLines = 0;
  const show = (s: Snapshot): void => {
    if (!tty) {
      out.write(plainLine(model, s) + '\n');
      if (s.gates.tlsUnverified) process.stderr.write(`migobs: ${INSECURE_WARNING}\n`);
      if (s.progressError) process.stderr.write(`migobs: progress unknown: ${printable(s.progressError)}\n`);
      for (const line of reasonLines(s.gates)) process.stderr.write(`migobs: ${line}\n`);
      return;
    }
    // Lines are clipped to the terminal width: a wrapped line would break the in-place redraw.
    const text = clipLines(frame(model, s, intervalText), out.columns || 120);
    out.write(rewind(previousLines) + text);
    previousLines = text.split('\n').length - 1;
  };

  if (opts.once) {
    const s = await takeSnapshot(client, model);
    show(s);
    return s.gates.exitCode;
  }

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (tty) out.write(HIDE_CURSOR);
  try {
    while (!stop.signal.aborted) {
      const s = await takeSnapshot(client, model, stop.signal);
      if (stop.signal.aborted) break;
      show(s);
      await sleep(intervalMs, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (tty) out.write(SHOW_CURSOR);
  }
  // Ctrl-C is how a watch ends: a clean exit, not a failure.
  return 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
