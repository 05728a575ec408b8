#!/usr/bin/env node
'use strict';
// The origin of bench/compare.js: answers every request with the same 1 KiB body (after reading
// the request body, if any). Prints its URL once listening.
//   node bench/origin.js [port=0]
const http = require('node:http');

const BODY = Buffer.alloc(1024, 'a');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`origin listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
