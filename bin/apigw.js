#!/usr/bin/env node
'use strict';
// Node 22.1+ keeps the compiled code of apigw's modules on disk between runs (in the OS temporary
// directory, as tsc does; NODE_DISABLE_COMPILE_CACHE=1 turns it off): apigw and each worker of
// `serve --workers` start faster. Node 20 has no such cache: nothing happens there.
require('node:module').enableCompileCache?.();
// Runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
require('../dist/gateway/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
