/** Every lint check, in the order their findings are most useful to read. */
import type { LintCheck } from '../types';
import { contractMetricWithoutMigrationId } from './contract-metric-without-migration-id';
import { drift } from './drift';
import { forLongerThanRun } from './for-longer-than-run';
import { forTooShort } from './for-too-short';
import { gateWithoutRemediation } from './gate-without-remediation';
import { irreversibleWithoutForwardFix } from './irreversible-without-forward-fix';
import { noGates } from './no-gates';
import { rateWindowTooShort } from './rate-window-too-short';
import { relativeLink } from './relative-link';
import { scheduleShorterThanRun } from './schedule-shorter-than-run';
import { stalledAfterTooShort } from './stalled-after-too-short';
import { targetPlaceholder } from './target-placeholder';
import { unknownMetric } from './unknown-metric';

export const LINT_CHECKS: readonly LintCheck[] = [
  forTooShort,
  rateWindowTooShort,
  gateWithoutRemediation,
  irreversibleWithoutForwardFix,
  contractMetricWithoutMigrationId,
  unknownMetric,
  noGates,
  targetPlaceholder,
  forLongerThanRun,
  scheduleShorterThanRun,
  stalledAfterTooShort,
  relativeLink,
  drift,
];
