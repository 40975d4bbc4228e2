#!/usr/bin/env node
'use strict';
// Without V8's optimizing compiler, which a command of under a second never earns back (about
// 40 % of a first-time `generate` of the example, 20 % of a `validate`; README.md, Performance),
// and with a small young generation scavenged on the main thread (a bigger one's page faults, and
// helper threads, cost a short run more than they save), set before any bundle is compiled so the code caches always match (./code-cache.js
// useCliFlags; src/cli/jit.ts gives long work V8's defaults back). MIGOBS_TURBOFAN=1 keeps TurboFan.
const codeCache = require('./code-cache.js');
// First node's own modules the command's bundle will load, while node's built-in code cache for
// them still matches V8's flags (./code-cache.js preloadBuiltins).
codeCache.preloadBuiltins(require('node:path').join(__dirname, '..', 'dist'), process.argv[2]);
codeCache.useCliFlags();
// The CLI is a small entry bundle (dist/cli.js: argument parsing) plus one bundle per command
// (dist/commands/<name>.js), built by `npm run build`; they are compiled with a V8 code cache
// (./code-cache.js) so a cold start does not pay for compiling them again.
codeCache.install(require('node:path').join(__dirname, '..', 'dist'));
require('../dist/cli.js').main(process.argv);
