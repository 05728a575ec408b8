import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  sha256Hex,
  sign,
  signingKey,
  signRequest,
  splitTarget,
  stringToSign,
  toAmzDate,
} from '../../sigv4';

/**
 * AWS's published SigV4 test vectors (test/fixtures/aws-sigv4-test-suite, from
 * https://github.com/awslabs/aws-c-auth/tree/main/tests/aws-signing-test-suite/v4) run against
 * the engine: the canonical request, string to sign and signature of each, in the header and the
 * query (presigned) form, and the outbound signer's Authorization header.
 */

const SUITE = join(__dirname, '..', 'fixtures', 'aws-sigv4-test-suite');

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

interface Vector {
  name: string;
  context: Context;
  method: string;
  target: string;
  /** Lower-cased names; repeated headers keep every value, in order. */
  headers: Array<[string, string]>;
  body: Buffer;
  expected: (file: string) => string;
}

/** Reads a request.txt: request line, headers (indented lines continue a value), blank line, body. */
function parseRequest(text: string): Pick<Vector, 'method' | 'target' | 'headers' | 'body'> {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = Buffer.from(end < 0 ? '' : text.slice(end + 2), 'utf8');
  const [requestLine, ...lines] = head.split('\n');
  const m = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine) as RegExpExecArray;
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (line === '') continue;
    if (/^\s/.test(line)) headers[headers.length - 1][1] += `\n${line}`;
    else {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1)]);
    }
  }
  return { method: m[1], target: m[2], headers, body };
}

function loadVectors(): Vector[] {
  return readdirSync(SUITE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(SUITE, entry.name);
      const read = (file: string) => readFileSync(join(dir, file), 'utf8');
      return {
        name: entry.name,
        context: JSON.parse(read('context.json')) as Context,
        ...parseRequest(read('request.txt')),
        expected: read,
      };
    });
}

const vectors = loadVectors();

function toIncoming(headers: Array<[string, string]>): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of headers) {
    const previous = out[name];
    out[name] = previous === undefined ? value : [...([] as string[]).concat(previous), value];
  }
  return out;
}

function canonicalOf(v: Vector, headers: Array<[string, string]>, rawQuery: string): string {
  const incoming = toIncoming(headers);
  const { path } = splitTarget(v.target);
  return canonicalRequest({
    method: v.method,
    uri: canonicalUri(path, v.context.normalize ? 'normalized' : 's3')!,
    query: canonicalQuery(rawQuery, { excludeSignature: false })!,
    headers: incoming,
    signedHeaders: Object.keys(incoming).sort(),
    payloadHash: sha256Hex(v.body),
  });
}

function signatureOf(v: Vector, canonical: string): { toSign: string; signature: string } {
  const amzDate = toAmzDate(new Date(v.context.timestamp));
  const scope = `${amzDate.slice(0, 8)}/${v.context.region}/${v.context.service}/aws4_request`;
  const key = signingKey(
    v.context.credentials.secret_access_key,
    amzDate.slice(0, 8),
    v.context.region,
    v.context.service,
  );
  const toSign = stringToSign(amzDate, scope, canonical);
  return { toSign, signature: sign(key, toSign) };
}

describe.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
  const amzDate = toAmzDate(new Date(v.context.timestamp));
  const token = v.context.credentials.token;

  it('header form: canonical request, string to sign, signature', () => {
    const headers: Array<[string, string]> = [...v.headers, ['x-amz-date', amzDate]];
    if (token !== undefined && !v.context.omit_session_token) headers.push(['x-amz-security-token', token]);
    if (v.context.sign_body) headers.push(['x-amz-content-sha256', sha256Hex(v.body)]);
    const canonical = canonicalOf(v, headers, splitTarget(v.target).query);
    expect(canonical).toBe(v.expected('header-canonical-request.txt'));
    const { toSign, signature } = signatureOf(v, canonical);
    expect(toSign).toBe(v.expected('header-string-to-sign.txt'));
    expect(signature).toBe(v.expected('header-signature.txt'));
  });

  it('query form (presigned): canonical request, string to sign, signature', () => {
    const { query } = splitTarget(v.target);
    const scope = `${amzDate.slice(0, 8)}/${v.context.region}/${v.context.service}/aws4_request`;
    const auth = [
      `X-Amz-Algorithm=AWS4-HMAC-SHA256`,
      `X-Amz-Credential=${encodeURIComponent(`${v.context.credentials.access_key_id}/${scope}`)}`,
      `X-Amz-Date=${amzDate}`,
      `X-Amz-Expires=${v.context.expiration_in_seconds}`,
      `X-Amz-SignedHeaders=${encodeURIComponent([...new Set(v.headers.map(([n]) => n))].sort().join(';'))}`,
    ];
    if (token !== undefined && !v.context.omit_session_token) {
      auth.push(`X-Amz-Security-Token=${encodeURIComponent(token)}`);
    }
    const canonical = canonicalOf(v, v.headers, [query, ...auth].filter((q) => q !== '').join('&'));
    expect(canonical).toBe(v.expected('query-canonical-request.txt'));
    const { toSign, signature } = signatureOf(v, canonical);
    expect(toSign).toBe(v.expected('query-string-to-sign.txt'));
    expect(signature).toBe(v.expected('query-signature.txt'));
  });
});

// The outbound signer normalises the path whenever it escapes it (every service but S3, whose
// paths it signs as already encoded) and always signs a session token: the vectors that do
// otherwise concern the verifiers only.
const signable = vectors.filter((v) => v.context.normalize && !v.context.omit_session_token);

describe.each(signable.map((v) => [v.name, v] as const))('outbound signer, %s', (_name, v) => {
  it('gives the same signature', () => {
    const token = v.context.credentials.token;
    const { path, query } = splitTarget(v.target);
    const headers: Record<string, string> = {};
    for (const [name, value] of v.headers)
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    const signed = signRequest(
      {
        method: v.method,
        path,
        query:
          query === ''
            ? []
            : query.split('&').map((pair) => {
                const [name, value = ''] = pair.split('=');
                return [decodeURIComponent(name), decodeURIComponent(value)] as const;
              }),
        headers,
        body: v.body,
      },
      {
        service: v.context.service,
        region: v.context.region,
        credentials: {
          accessKeyId: v.context.credentials.access_key_id,
          secretAccessKey: v.context.credentials.secret_access_key,
          sessionToken: token,
        },
        uriEscapePath: true,
        applyChecksum: v.context.sign_body,
        now: new Date(v.context.timestamp),
      },
    );
    expect(signed.headers.authorization).toMatch(
      new RegExp(`, Signature=${v.expected('header-signature.txt')}$`),
    );
  });
});

it('finds the vendored vectors', () => {
  expect(vectors.length).toBeGreaterThanOrEqual(38);
  expect(signable.length).toBeGreaterThanOrEqual(30);
});
