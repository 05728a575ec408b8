/**
 * The console page: plain HTML, a little CSS and one script, served as is (no build step, no
 * external assets). The script talks to the console's JSON endpoints under the same prefix.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>apigw console</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #16191f; background: #f2f3f3; }
  header { background: #232f3e; color: #fff; padding: 10px 20px; }
  header h1 { font-size: 18px; margin: 0; display: inline; }
  header span { margin-left: 16px; color: #d5dbdb; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px 20px; }
  section { background: #fff; border: 1px solid #d5dbdb; border-radius: 4px; padding: 12px 16px; overflow: auto; }
  section.wide { grid-column: 1 / 3; }
  h2 { font-size: 16px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeded; vertical-align: top; }
  tbody tr { cursor: pointer; }
  tbody tr:hover { background: #f1faff; }
  label { display: block; margin: 6px 0 2px; font-weight: 600; }
  input[type=text], select, textarea { width: 100%; box-sizing: border-box; font: 13px monospace; padding: 4px; }
  textarea { height: 70px; }
  button { margin-top: 8px; background: #ec7211; color: #fff; border: 0; padding: 6px 16px; border-radius: 2px; cursor: pointer; }
  pre { background: #f8f8f8; padding: 6px; white-space: pre-wrap; word-break: break-all; margin: 4px 0; font-size: 12px; }
  .stage { border-left: 3px solid #0073bb; margin: 6px 0; padding-left: 8px; }
  .stage.failed { border-color: #d13212; }
  .stage h3 { font-size: 13px; margin: 0; }
  .ms { color: #687078; font-weight: normal; }
  .warn { color: #d13212; }
</style>
</head>
<body>
<header><h1>apigw console</h1><span id="api"></span></header>
<main>
  <section class="wide">
    <h2>Routes</h2>
    <table id="routes"><thead><tr><th>Method</th><th>Path</th><th>Auth</th><th>API key</th><th>Integration</th></tr></thead><tbody></tbody></table>
    <div id="unsupported"></div>
  </section>
  <section>
    <h2>Test</h2>
    <form id="test">
      <label for="method">Method</label>
      <select id="method"><option>GET</option><option>POST</option><option>PUT</option><option>DELETE</option><option>PATCH</option><option>HEAD</option><option>OPTIONS</option></select>
      <label for="path">Path (after the stage)</label>
      <input type="text" id="path" value="/">
      <label for="query">Query string</label>
      <input type="text" id="query" placeholder="name=value&amp;other=value">
      <label for="headers">Headers (one "Name: value" per line)</label>
      <textarea id="headers"></textarea>
      <label for="body">Request body</label>
      <textarea id="body"></textarea>
      <label><input type="checkbox" id="sign"> Sign with SigV4 (AWS_IAM) using apigw's first accepted key</label>
      <button type="submit" id="send">Test</button>
    </form>
  </section>
  <section>
    <h2>Response</h2>
    <div id="response"><p>Send a test invocation to see its response and trace.</p></div>
  </section>
  <section class="wide">
    <h2>Recent requests</h2>
    <p class="ms">Requests are traced while this page is open (and always with --trace).</p>
    <table id="recent"><thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>Latency</th><th>Request id</th></tr></thead><tbody></tbody></table>
    <div id="selected-trace"></div>
  </section>
  <section class="wide">
    <h2>Access log</h2>
    <pre id="access-log"></pre>
  </section>
</main>
<script>
(function () {
  var base = location.pathname.replace(/\\/+$/, '');
  var routes = [];
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function json(url, options) {
    return fetch(base + url, options).then(function (r) { return r.json(); });
  }
  function renderTrace(trace, into) {
    into.innerHTML = '';
    into.appendChild(el('p', {}, ['Request ' + trace.requestId + ' (' + trace.extendedRequestId + '): ' + trace.httpMethod + ' ' + trace.path + ' \\u2192 ' + trace.status + ' in ' + trace.latencyMs + ' ms']));
    if (trace.error) into.appendChild(el('p', { class: 'warn' }, ['Gateway response ' + trace.error.responseType + ' (' + trace.error.status + '): ' + trace.error.message]));
    var list = el('div', { class: 'trace' });
    trace.stages.forEach(function (s) {
      var box = el('div', { class: 'stage' + (s.error ? ' failed' : ''), 'data-stage': s.name }, [
        el('h3', {}, [s.name + ' ', el('span', { class: 'ms' }, ['+' + s.startMs.toFixed(1) + ' ms, ' + s.durationMs.toFixed(1) + ' ms'])]),
      ]);
      if (s.error) box.appendChild(el('p', { class: 'warn' }, [s.error.responseType + ' (' + s.error.status + '): ' + s.error.message]));
      if (s.detail) box.appendChild(el('pre', {}, [JSON.stringify(s.detail, null, 2)]));
      list.appendChild(box);
    });
    into.appendChild(list);
  }
  function loadRoutes() {
    return json('/api/routes').then(function (info) {
      routes = info.routes;
      document.getElementById('api').textContent = info.title + ' \\u2014 API ' + info.apiId + ', stage ' + info.stage + ' (' + info.baseUrl + ')';
      var body = document.querySelector('#routes tbody');
      body.innerHTML = '';
      routes.forEach(function (r) {
        var row = el('tr', {}, [r.method, r.path, r.auth, r.apiKeyRequired ? 'required' : '-', r.integration].map(function (c) { return el('td', {}, [c]); }));
        row.addEventListener('click', function () { choose(r); });
        body.appendChild(row);
      });
      var unsupported = document.getElementById('unsupported');
      unsupported.innerHTML = '';
      if (info.unsupported.length) {
        unsupported.appendChild(el('p', { class: 'warn' }, ['Not honoured by apigw:']));
        unsupported.appendChild(el('pre', {}, [info.unsupported.map(function (u) { return u.pointer + ': ' + u.reason; }).join('\\n')]));
      }
    });
  }
  function choose(r) {
    document.getElementById('method').value = r.method === 'ANY' ? 'GET' : r.method;
    document.getElementById('path').value = r.path;
    document.getElementById('sign').checked = r.auth === 'AWS_IAM';
  }
  function loadRecent() {
    return json('/api/requests').then(function (items) {
      var body = document.querySelector('#recent tbody');
      body.innerHTML = '';
      items.forEach(function (item) {
        var t = item.trace;
        var row = el('tr', { 'data-request-id': t.requestId }, [t.time.slice(11, 23), t.httpMethod, t.path, String(t.status), t.latencyMs + ' ms', t.requestId].map(function (c) { return el('td', {}, [c]); }));
        row.addEventListener('click', function () { renderTrace(t, document.getElementById('selected-trace')); });
        body.appendChild(row);
      });
      document.getElementById('access-log').textContent = items.filter(function (i) { return i.accessLog; }).map(function (i) { return i.accessLog; }).reverse().join('\\n') || '(access logging is off: set accessLog in the config or pass --access-log CLF)';
    });
  }
  document.getElementById('test').addEventListener('submit', function (event) {
    event.preventDefault();
    var headers = {};
    document.getElementById('headers').value.split('\\n').forEach(function (line) {
      var i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    });
    var request = {
      method: document.getElementById('method').value,
      path: document.getElementById('path').value,
      query: document.getElementById('query').value,
      headers: headers,
      body: document.getElementById('body').value,
      sign: document.getElementById('sign').checked,
    };
    var out = document.getElementById('response');
    out.innerHTML = '<p>Sending\\u2026</p>';
    json('/api/invoke', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) }).then(function (r) {
      out.innerHTML = '';
      if (r.error) { out.appendChild(el('p', { class: 'warn' }, [r.error])); return; }
      out.appendChild(el('p', {}, ['Status: ', el('strong', { id: 'response-status' }, [String(r.status)]), ' (' + r.latencyMs + ' ms)']));
      out.appendChild(el('label', {}, ['Response headers']));
      out.appendChild(el('pre', { id: 'response-headers' }, [Object.keys(r.headers).map(function (k) { return k + ': ' + r.headers[k]; }).join('\\n')]));
      out.appendChild(el('label', {}, ['Response body']));
      out.appendChild(el('pre', { id: 'response-body' }, [r.body]));
      out.appendChild(el('label', {}, ['Execution trace']));
      var trace = el('div', { id: 'trace' });
      out.appendChild(trace);
      if (r.trace) renderTrace(r.trace, trace); else trace.textContent = '(no trace)';
      loadRecent();
    });
  });
  loadRoutes().then(loadRecent);
  setInterval(function () { loadRecent(); }, 3000);
  setInterval(function () { loadRoutes(); }, 10000);
})();
</script>
</body>
</html>
`;
