import type { IncomingHttpHeaders } from 'node:http';

/**
 * `--cors [ORIGIN]` (config `cors`), a development switch beyond AWS. A REST API on AWS answers no
 * preflight by itself and puts no CORS header on the gateway's own errors (an API does it with
 * OPTIONS mock methods and DEFAULT_4XX/5XX gateway responses, see docs/cors-and-authorizers.md).
 * With the switch on, apigw answers every preflight from an allowed origin itself and adds the
 * CORS headers a browser needs to every response lacking them, gateway errors included; headers
 * the API produced are never replaced. Off (the default), nothing here runs: AWS's behaviour.
 */
export interface CorsPolicy {
  /** The allowed origins, exactly as a browser sends them; undefined: any origin. */
  readonly origins: ReadonlySet<string> | undefined;
}

// What a preflight allows when the browser does not say which method it wants.
const ALL_METHODS = 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT';
// How long a browser may cache a preflight answer (seconds); short, for an API under development.
const MAX_AGE = '600';

/**
 * The policy of a `cors` setting: `*` (what a bare `--cors` means) allows any origin, otherwise a
 * comma-separated list of origins (`http://localhost:3000,https://app.example.com`); a string
 * says why the setting is neither.
 */
export function corsPolicyOf(setting: string): CorsPolicy | string {
  const list = setting
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) return 'cors must be * or one or more origins such as http://localhost:3000';
  if (list.includes('*')) return { origins: undefined };
  for (const origin of list) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    // An origin is scheme://host[:port], nothing more: what browsers put in the Origin header.
    if (!url || url.origin !== origin) {
      return `cors: '${origin}' is not an origin (scheme://host[:port], e.g. http://localhost:3000), nor *`;
    }
  }
  return { origins: new Set(list) };
}

/**
 * `--cors` takes an optional value, which node's parseArgs cannot express: a bare `--cors` (last,
 * or followed by another option or by something that is no origin, such as the API file) becomes
 * `--cors=*`, and `--cors ORIGIN` becomes `--cors=ORIGIN`.
 */
export function normaliseCorsFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg !== '--cors') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && (next === '*' || /^https?:\/\//i.test(next))) {
      out.push(`--cors=${next}`);
      i++;
    } else {
      out.push('--cors=*');
    }
  }
  return out;
}

/** The request's Origin when the policy allows it, else undefined (then CORS stays out of the way). */
function allowedOrigin(policy: CorsPolicy, headers: IncomingHttpHeaders): string | undefined {
  const origin = headers.origin;
  if (typeof origin !== 'string' || origin === '') return undefined;
  if (policy.origins && !policy.origins.has(origin)) return undefined;
  return origin;
}

/**
 * The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) from an
 * allowed origin: 204 allowing the requested method and headers, with credentials. Undefined for
 * any other request, which goes through the API as usual.
 */
export function preflightHeaders(
  policy: CorsPolicy,
  method: string | undefined,
  headers: IncomingHttpHeaders,
): Record<string, string> | undefined {
  if (method !== 'OPTIONS') return undefined;
  const requested = headers['access-control-request-method'];
  if (typeof requested !== 'string' || requested === '') return undefined;
  const origin = allowedOrigin(policy, headers);
  if (origin === undefined) return undefined;
  const requestedHeaders = headers['access-control-request-headers'];
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': ALL_METHODS.split(',').includes(requested.toUpperCase())
      ? ALL_METHODS
      : `${ALL_METHODS},${requested}`,
    ...(typeof requestedHeaders === 'string' && requestedHeaders.trim() !== ''
      ? { 'Access-Control-Allow-Headers': requestedHeaders }
      : {}),
    'Access-Control-Max-Age': MAX_AGE,
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'Content-Length': '0',
  };
}

/**
 * Adds what a browser needs to read a response from another origin, to the headers of any response
 * (the method's, or a gateway error's) whose request came from an allowed origin: Allow-Origin
 * (the request's origin) with Allow-Credentials, Expose-Headers naming the response's own headers
 * (so a page can read x-amzn-RequestId, x-amzn-ErrorType, ...), and `Vary: Origin`. A header the
 * API set already is left as it is.
 */
export function addCorsHeaders(
  policy: CorsPolicy,
  requestHeaders: IncomingHttpHeaders,
  headers: Record<string, string>,
): void {
  const origin = allowedOrigin(policy, requestHeaders);
  if (origin === undefined) return;
  const present = new Map(Object.keys(headers).map((name) => [name.toLowerCase(), name]));
  if (!present.has('access-control-allow-origin')) {
    headers['Access-Control-Allow-Origin'] = origin;
    if (!present.has('access-control-allow-credentials'))
      headers['Access-Control-Allow-Credentials'] = 'true';
  }
  if (!present.has('access-control-expose-headers')) {
    const exposed = [...present.keys()].filter(
      (name) => !name.startsWith('access-control-') && name !== 'content-length' && name !== 'vary',
    );
    if (exposed.length > 0) headers['Access-Control-Expose-Headers'] = exposed.join(',');
  }
  const vary = present.get('vary');
  if (vary === undefined) headers.Vary = 'Origin';
  else if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(headers[vary])) headers[vary] = `${headers[vary]}, Origin`;
}

/** The start-up line saying the switch is on (it changes what clients see: it must never be silent). */
export function describeCors(policy: CorsPolicy): string {
  const who = policy.origins ? [...policy.origins].join(', ') : 'any origin';
  return `CORS (--cors, beyond AWS): preflights answered and CORS headers added to every response for ${who}`;
}

/** The policy of a `cors` setting the config already checked. */
export function corsPolicy(setting: string): CorsPolicy {
  const policy = corsPolicyOf(setting);
  if (typeof policy === 'string') throw new Error(policy);
  return policy;
}
