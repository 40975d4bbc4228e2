/**
 * What the CLI loads only when a file must be parsed or checked: the YAML parser, the schema
 * validator, the presets and the semantic rules (pipeline.ts), the repo config's parser, and the
 * lint checks. scripts/build.mjs makes this its own bundle (dist/heavy/checker.js), required by
 * load-options.ts on first use: a `generate` or `lint` whose definitions (and config file) all
 * come from the result cache never reads it.
 */
export { sourceChecker } from '../pipeline';
export { loadConfig } from '../load/config';
export { LINT_CHECKS } from '../lint/checks';
