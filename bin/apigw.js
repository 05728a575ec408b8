#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
require('../dist/gateway/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
