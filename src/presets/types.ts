/** The shape of presets/<type>.yaml and presets/engines/<engine>.yaml (see docs/presets.md). */
import type { Direction, Engine, MigrationType, TargetName } from '../definition/types';

export interface LibrarySignal {
  expr: string;
  unit?: string;
  title?: string;
  description?: string;
  metrics?: string[];
  requires?: string;
  range?: { min?: number; max?: number };
  /**
   * The system the signal reads: a spec.targets entry whose matchers are injected into every
   * selector, or `migration` for signals of the migobs metric contract only (scoped by
   * spec.selector and migration_id already). Required in every library signal.
   */
  target?: TargetName | 'migration';
  /** The expression keeps one series per member of this target, so the target's `count` guards it. */
  seriesPer?: TargetName;
}

export interface EngineLibrary {
  engine: Engine;
  exporters?: string[];
  signals: Record<string, LibrarySignal>;
}

export interface PresetGate {
  id: string;
  title?: string;
  signal: string;
  direction?: Direction;
  pause: number;
  rollback: number;
  for: string;
  rollbackFor?: string;
  phases?: string[];
  engines?: Engine[];
  remediation?: string;
}

export interface PresetPhase {
  id: string;
  title?: string;
  description?: string;
  entry?: string[];
  proceed?: string[];
}

export interface Preset {
  type: MigrationType;
  title: string;
  summary?: string;
  stalledAfter?: string;
  phases: PresetPhase[];
  signals?: Record<string, LibrarySignal>;
  gates: PresetGate[];
  verification?: string[];
  runbook?: { rollback?: string; decides?: string };
}
