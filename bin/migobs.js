#!/usr/bin/env node
'use strict';
// The CLI is a small entry bundle (dist/cli.js: argument parsing) plus one bundle per command
// (dist/commands/<name>.js), built by `npm run build`; they are compiled with a V8 code cache
// (./code-cache.js) so a cold start does not pay for compiling them again.
require('./code-cache.js').install(require('node:path').join(__dirname, '..', 'dist'));
require('../dist/cli.js').main(process.argv);
