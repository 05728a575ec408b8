#!/usr/bin/env node
'use strict';
// Mapping-template renders per second, compiled once (what the gateway does: every template is
// parsed at load) versus parsed for every render (what it must not do). Run after `npm run build`:
//   node bench/vtl.js [seconds-per-case]
// A unique trailing comment defeats the compile cache in the "parsed every time" column.
const path = require('node:path');

const dist = path.resolve(__dirname, '../dist/mappings/vtl/index.js');
const { compileTemplate } = require(process.env.VTL_DIST || dist);

const seconds = Number(process.argv[2] ?? 1);

const calcResult = '{"a":1,"b":2,"op":"+","c":3}';
const cases = [
  {
    name: 'seed 001: S3 image response',
    template: '{\n   "image": "$input.body"\n}',
    request: { body: 'W3JhdyBieXRlc10=' },
  },
  {
    name: 'seed 003: Lambda PUT request',
    template: '{\n   "imageKey": "$input.params(\'key\')", "image": "$input.body"\n}',
    request: { body: 'W3JhdyBieXRlc10=', querystring: { key: 'image.jpg' } },
  },
  {
    name: 'LambdaCalc GET /calc request',
    template:
      '{\n    "a":  "$input.params(\'operand1\')",\n    "b":  "$input.params(\'operand2\')", \n    "op": "$input.params(\'operator\')"   \n}',
    request: { querystring: { operand1: '1', operand2: '2', operator: '+' } },
  },
  {
    name: 'LambdaCalc GET /calc response',
    template:
      '#set($res = $input.path(\'$\'))\n{\n    "result": "$res.a, $res.b, $res.op => $res.c",\n  "a" : "$res.a",\n  "b" : "$res.b",\n  "op" : "$res.op",\n  "c" : "$res.c"\n}',
    request: { body: calcResult },
  },
  {
    name: 'LambdaCalc POST /calc response',
    template:
      '#set($inputRoot = $input.path(\'$\'))\n{\n  "a" : $inputRoot.a,\n  "b" : $inputRoot.b,\n  "op" : $inputRoot.op,\n  "c" : $inputRoot.c\n}',
    request: { body: calcResult },
  },
  {
    name: 'LambdaCalc /calc/{a}/{b}/{op} request',
    template:
      '{\n   "a": "$input.params(\'operand1\')",\n   "b": "$input.params(\'operand2\')",\n   "op": #if($input.params(\'operator\')==\'%2F\')"/"#{else}"$input.params(\'operator\')"#end\n   \n}',
    request: { path: { operand1: '1', operand2: '2', operator: '%2F' } },
  },
  {
    name: 'LambdaCalc /calc/{a}/{b}/{op} response',
    template:
      '#set($inputRoot = $input.path(\'$\'))\n{\n  "input" : {\n    "a" : $inputRoot.a,\n    "b" : $inputRoot.b,\n    "op" : "$inputRoot.op"\n  },\n  "output" : {\n    "c" : $inputRoot.c\n  }\n}',
    request: { body: '{"a":1,"b":2,"op":"/","c":0.5}' },
  },
  {
    name: 'AWS "Method Request passthrough"',
    template: [
      '#set($allParams = $input.params())',
      '{',
      '"body-json" : $input.json(\'$\'),',
      '"params" : {',
      '#foreach($type in $allParams.keySet())',
      '    #set($params = $allParams.get($type))',
      '"$type" : {',
      '    #foreach($paramName in $params.keySet())',
      '    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"',
      '        #if($foreach.hasNext),#end',
      '    #end',
      '}',
      '    #if($foreach.hasNext),#end',
      '#end',
      '},',
      '"context" : {',
      '    "http-method" : "$context.httpMethod",',
      '    "request-id" : "$context.requestId",',
      '    "source-ip" : "$context.identity.sourceIp"',
      '    }',
      '}',
    ].join('\n'),
    request: {
      body: '{"name":"widget","tags":["a","b"],"price":9.5}',
      path: { id: '42' },
      querystring: { verbose: 'true' },
      header: { Accept: 'application/json', 'Content-Type': 'application/json', 'User-Agent': 'bench/1.0' },
    },
  },
];

function vars(request) {
  return {
    body: request.body ?? '',
    params: {
      path: request.path ?? {},
      querystring: request.querystring ?? {},
      header: request.header ?? {},
    },
    context: {
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      httpMethod: 'POST',
      identity: { sourceIp: '1.2.3.4' },
    },
    stageVariables: {},
  };
}

// Renders per second over `seconds`, after a short warm-up.
function measure(renderOnce) {
  for (let i = 0; i < 200; i++) renderOnce(i);
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 100; i++) renderOnce(n++);
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const rows = [];
for (const c of cases) {
  const compiled = compileTemplate(c.template);
  const cached = measure(() => compiled.render(vars(c.request)));
  const uncached = measure((i) => compileTemplate(`${c.template}#* ${i} *#`).render(vars(c.request)));
  rows.push(`| ${c.name} | ${fmt(cached)} | ${fmt(uncached)} | ${(cached / uncached).toFixed(1)}× |`);
}
console.log(`Node ${process.version}, ${seconds} s per measurement`);
console.log('| template | cached renders/s | parsed every time renders/s | speed-up |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
