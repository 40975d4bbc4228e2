/**
 * Asking `migobs gate --json` in end-to-end tests until the live system shows what a step caused:
 * scrapes and rule evaluations take a second or two to see a change.
 */
import { waitFor, type AsyncCliResult } from './services';

/** The parts of `migobs gate --json` the tests read. */
export interface GateAnswer {
  phase?: string | null;
  gates: Array<{ gate: string; state: string; value: number | null; reason?: string }>;
  overall: { exitCode: number; reason?: string | null };
}

export interface GateReply {
  result: AsyncCliResult;
  /** Undefined when stdout is not the JSON answer (a usage error, a crash). */
  answer: GateAnswer | undefined;
}

/**
 * Run `ask` (a `migobs gate ... --json` call) every 500 ms until `done` holds. On timeout the
 * error shows the last reply and `context()` (service state worth seeing when a step failed).
 */
export async function askGateUntil(ask: () => Promise<AsyncCliResult>, what: string, done: (reply: GateReply) => boolean, opts: { timeoutMs?: number; context?: () => string } = {}): Promise<GateReply> {
  let last: GateReply | undefined;
  try {
    return await waitFor(what, async () => {
      const result = await ask();
      let answer: GateAnswer | undefined;
      try {
        answer = JSON.parse(result.stdout) as GateAnswer;
      } catch {
        answer = undefined;
      }
      last = { result, answer };
      return done(last) ? last : undefined;
    }, opts.timeoutMs ?? 30_000, 500);
  } catch (e) {
    const context = opts.context ? `\n${opts.context()}` : '';
    throw new Error(`${(e as Error).message}\nlast gate answer (exit ${last?.result.code}):\n${last?.result.stdout}${last?.result.stderr}${context}`);
  }
}

/** One gate of an answer, by id. */
export const gateOf = (answer: GateAnswer, id: string): GateAnswer['gates'][number] => {
  const g = answer.gates.find((x) => x.gate === id);
  if (!g) throw new Error(`gate ${id} is not in the answer: ${JSON.stringify(answer)}`);
  return g;
};
