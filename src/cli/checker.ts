/**
 * What the CLI loads only when a file must be parsed: the YAML parser, the schema validator, the
 * presets and the semantic rules (pipeline.ts), and the repo config's parser. scripts/build.mjs
 * makes this its own bundle (dist/heavy/checker.js), required by load-options.ts on first use: a
 * `generate` or `lint` whose definitions all come from the result cache, with no config file,
 * never reads it.
 */
export { sourceChecker } from '../pipeline';
export { loadConfig } from '../load/config';
