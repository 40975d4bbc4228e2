import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../presets/load';

/** `migobs schema`: print the definition JSON Schema (the file editors use via yaml-language-server). */
export async function schemaCommand(): Promise<number> {
  process.stdout.write(readFileSync(join(packageRoot(), 'schema', 'migration.schema.json'), 'utf8'));
  return 0;
}
