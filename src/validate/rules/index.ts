/** Every semantic rule, in the order their problems are most useful to read. */
import type { SemanticRule } from '../rule';
import { disabledGateExists } from './disabled-gate-exists';
import { durationsSane } from './durations-sane';
import { gateCount } from './gate-count';
import { gatePhasesExist } from './gate-phases-exist';
import { gateSignalExists } from './gate-signal-exists';
import { gateThresholdsPresent } from './gate-thresholds-present';
import { idNotWindowsReserved } from './id-not-windows-reserved';
import { matcherRegexValid } from './matcher-regex-valid';
import { receiverNameValid } from './receiver-name-valid';
import { scheduleValid } from './schedule-valid';
import { ruleTestCost } from './rule-test-cost';
import { selectorSatisfiable } from './selector-satisfiable';
import { selectorValid } from './selector-valid';
import { signalExprValid } from './signal-expr-valid';
import { signalTargetSet } from './signal-target-set';
import { targetSelectorValid } from './target-selector-valid';
import { thresholdMagnitude } from './threshold-magnitude';
import { thresholdOrder } from './threshold-order';
import { thresholdReachable } from './threshold-reachable';
import { uniqueGateIds } from './unique-gate-ids';
import { uniquePhaseIds } from './unique-phase-ids';
import { runnerValid } from './runner-valid';

export const SEMANTIC_RULES: readonly SemanticRule[] = [
  idNotWindowsReserved,
  uniqueGateIds,
  uniquePhaseIds,
  gateThresholdsPresent,
  disabledGateExists,
  thresholdOrder,
  thresholdMagnitude,
  thresholdReachable,
  gateSignalExists,
  gatePhasesExist,
  signalExprValid,
  selectorValid,
  selectorSatisfiable,
  matcherRegexValid,
  targetSelectorValid,
  signalTargetSet,
  durationsSane,
  scheduleValid,
  gateCount,
  receiverNameValid,
  runnerValid,
  ruleTestCost,
];
