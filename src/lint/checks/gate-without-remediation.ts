import type { Diagnostic } from '../../diagnostics';
import { gatePath } from '../locate';
import { findingAt, type LintCheck } from '../types';

/** The person paged at 3 a.m. needs the first move written down, not rediscovered. */
export const gateWithoutRemediation: LintCheck = {
  name: 'gate-without-remediation',
  severity: 'warning',
  doc: 'Every gate says what to do when it fires (`remediation`), shown in the alert and the runbook.',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const g of ctx.model.gates) {
      if (g.remediation && g.remediation.trim() !== '') continue;
      out.push(
        findingAt(ctx, this, gatePath(ctx, g.id), `gate \`${g.id}\` has no remediation: whoever is paged must work out the first step under pressure`, `add \`remediation:\` to gate \`${g.id}\`, e.g. "Halve --batch-size, wait for the signal to recover, resume."`),
      );
    }
    return out;
  },
};
