/**
 * Presets and engine signal libraries are YAML data files shipped in the package (presets/).
 * The build turns each into JSON text (src/generated/presets-data.ts) so that no YAML is parsed at
 * start-up, and a file is parsed when first asked for: a run reads one preset and two engine
 * libraries, not all nine files. presets/*.yaml stay the source of truth.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PRESET_JSON } from '../generated/presets-data';
import type { Engine, MigrationType } from '../definition/types';
import type { EngineLibrary, LibrarySignal, Preset } from './types';

let root: string | undefined;

/** The package root (the folder holding presets/), found from this file upwards. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'presets', 'backfill.yaml'))) return (root = dir);
    dir = dirname(dir);
  }
  throw new Error(`cannot find the migobs presets folder above ${__dirname}`);
}

export function presetPath(type: MigrationType): string {
  return join(packageRoot(), 'presets', `${type}.yaml`);
}

/** Each file parsed once per process: callers share the object (and never change it). */
const parsed = { presets: new Map<string, unknown>(), engines: new Map<string, unknown>() };

function parsedFile(group: 'presets' | 'engines', name: string): unknown {
  let value = parsed[group].get(name);
  if (value === undefined && Object.hasOwn(PRESET_JSON[group], name)) {
    value = JSON.parse(PRESET_JSON[group][name]!);
    parsed[group].set(name, value);
  }
  return value;
}

export function loadPreset(type: MigrationType): Preset {
  const p = parsedFile('presets', type);
  if (!p) throw new Error(`preset ${type} is missing from the build: run npm run build`);
  return p as Preset;
}

export function loadEngineLibrary(engine: Engine): EngineLibrary {
  const lib = parsedFile('engines', engine);
  if (!lib) throw new Error(`engine library ${engine} is missing from the build: run npm run build`);
  return lib as EngineLibrary;
}

/** The signals available for an engine: generic first, engine-specific on top. */
export function engineSignals(engine: Engine): Record<string, LibrarySignal> {
  const generic = loadEngineLibrary('generic').signals;
  return engine === 'generic' ? { ...generic } : { ...generic, ...loadEngineLibrary(engine).signals };
}
