/**
 * Which repo config file a command reads: `--config FILE`, else `migobs.config.yaml` in the
 * working folder. Apart from config.ts (which parses it), so a command can learn that there is
 * none without loading the YAML parser (cli/load-options.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const CONFIG_FILE = 'migobs.config.yaml';

/** The config file to read, or undefined when there is none to read (the defaults apply). */
export function configFileToRead(explicit?: string): string | undefined {
  return explicit ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
}

/**
 * A `migobs.config.yaml` in a folder above the working folder, which is NOT read (the config is
 * looked up in the working folder only): worth a hint when a command runs from a subfolder.
 */
export function configAbove(cwd = process.cwd()): string | undefined {
  for (let d = dirname(cwd); ; d = dirname(d)) {
    const candidate = join(d, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}
