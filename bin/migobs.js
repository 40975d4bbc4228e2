#!/usr/bin/env node
'use strict';
// V8's optimizing compiler (TurboFan) recompiles hot functions on background threads: CPU that a
// command of under a second never earns back (about 40 % of a first-time `generate` of the
// example, 20 % of a `validate`; README.md, Performance). The CLI starts without it, before any
// bundle is compiled, so the code cache always matches the same flags; the commands that run for
// minutes or over a user's history turn it back on before they load (src/cli/jit.ts).
// MIGOBS_TURBOFAN=1 keeps it on for every command.
if (process.env.MIGOBS_TURBOFAN !== '1') require('node:v8').setFlagsFromString('--no-turbofan');
// The CLI is a small entry bundle (dist/cli.js: argument parsing) plus one bundle per command
// (dist/commands/<name>.js), built by `npm run build`; they are compiled with a V8 code cache
// (./code-cache.js) so a cold start does not pay for compiling them again.
require('./code-cache.js').install(require('node:path').join(__dirname, '..', 'dist'));
require('../dist/cli.js').main(process.argv);
