/**
 * Presets and engine signal libraries are data files shipped in the package (presets/).
 * They are trusted, but still parsed as safe YAML; a broken preset is a migobs bug.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
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

const presetCache = new Map<string, Preset>();
const engineCache = new Map<string, EngineLibrary>();

export function presetPath(type: MigrationType): string {
  return join(packageRoot(), 'presets', `${type}.yaml`);
}

export function loadPreset(type: MigrationType): Preset {
  let p = presetCache.get(type);
  if (!p) {
    p = parse(readFileSync(presetPath(type), 'utf8')) as Preset;
    presetCache.set(type, p);
  }
  return p;
}

export function loadEngineLibrary(engine: Engine): EngineLibrary {
  let lib = engineCache.get(engine);
  if (!lib) {
    lib = parse(readFileSync(join(packageRoot(), 'presets', 'engines', `${engine}.yaml`), 'utf8')) as EngineLibrary;
    engineCache.set(engine, lib);
  }
  return lib;
}

/** The signals available for an engine: generic first, engine-specific on top. */
export function engineSignals(engine: Engine): Record<string, LibrarySignal> {
  const generic = loadEngineLibrary('generic').signals;
  return engine === 'generic' ? { ...generic } : { ...generic, ...loadEngineLibrary(engine).signals };
}
