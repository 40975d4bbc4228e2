/** The shape of presets/<type>.yaml and presets/engines/<engine>.yaml (see docs/presets.md). */
import type { Direction, Engine, MigrationType } from '../definition/types';

export interface LibrarySignal {
  expr: string;
  unit?: string;
  title?: string;
  description?: string;
  metrics?: string[];
  requires?: string;
  range?: { min?: number; max?: number };
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
