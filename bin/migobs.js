#!/usr/bin/env node
'use strict';
// The CLI is one bundled file (dist/cli.js, built by `npm run build`) so it starts fast.
require('../dist/cli.js').main(process.argv);
