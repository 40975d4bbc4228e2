/** The exporter files shipped in the package (exporters/<engine>/), read from the installed package. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../definition/types';
import { packageRoot } from '../presets/load';
import type { ShippedFile } from './setup';

/** Where the package keeps `name` of `engine`. */
export function shippedPath(engine: Engine, name: string): string {
  return join(packageRoot(), 'exporters', engine, name);
}

export function readShippedFiles(engine: Engine, files: readonly ShippedFile[]): Array<{ name: string; content: Buffer }> {
  return files.map((f) => ({ name: f.name, content: readFileSync(shippedPath(engine, f.name)) }));
}
