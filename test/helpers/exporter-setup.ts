/**
 * The exporter setup `migobs exporter-setup` prints, for live tests: the shipped files in
 * exporters/<engine>/ and the exporter's flags, minus --web.listen-address (tests pick a free port).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src/definition/types';
import { exporterSetup, type ExporterStep } from '../../src/exporters/setup';
import { REPO } from './cli';

export const shippedFile = (engine: Engine, name: string): string => join(REPO, 'exporters', engine, name);
export const shippedText = (engine: Engine, name: string): string => readFileSync(shippedFile(engine, name), 'utf8');

/** The engine's own exporter (postgres_exporter, mysqld_exporter) as exporter-setup describes it. */
export function engineExporter(engine: 'postgres' | 'mysql'): ExporterStep {
  return exporterSetup(engine, (name) => shippedFile(engine, name)).exporters[0]!;
}

/** Its flags, without the listen address. */
export function shippedFlags(engine: 'postgres' | 'mysql'): string[] {
  return engineExporter(engine).flags.map((f) => f.flag).filter((f) => !f.startsWith('--web.listen-address'));
}

/** `&k=v...` to append to a test DSN that already has a query string (e.g. lock_timeout). */
export function shippedDsnParameters(engine: 'postgres' | 'mysql'): string {
  return Object.entries(engineExporter(engine).dsn?.parameters ?? {}).map(([k, v]) => `&${k}=${v}`).join('');
}
