#!/usr/bin/env node
'use strict';
// The 1.00× reference of bench/compare.js: the least a Node reverse proxy does. node:http server,
// undici Pool (keep-alive) to the origin, request and response bodies streamed.
//   node bench/bare-proxy.js <origin-url> [port=0]
const http = require('node:http');
const { pipeline } = require('node:stream/promises');
const { Pool } = require('undici');

const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'transfer-encoding'];
const pool = new Pool(process.argv[2], { connections: 64 });
const server = http.createServer(async (req, res) => {
  const headers = { ...req.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  try {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : req;
    const upstream = await pool.request({ path: req.url, method: req.method, headers, body });
    for (const name of HOP_BY_HOP) delete upstream.headers[name];
    res.writeHead(upstream.statusCode, upstream.headers);
    await pipeline(upstream.body, res);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  console.log(`bare proxy listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
