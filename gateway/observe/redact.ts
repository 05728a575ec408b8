/**
 * Secrets never leave apigw in a trace or a console page: credentials in Authorization headers,
 * signatures, session tokens and API keys are masked, the rest of each value stays readable (the
 * access key id and the signed header list help debugging a signature mismatch).
 */

const MASK = '****';

/** Header names whose whole value is a secret. */
const SECRET_HEADERS = new Set([
  'x-amz-security-token',
  'x-api-key',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

/** Query parameters whose value is a secret (presigned URLs). */
const SECRET_QUERY = new Set(['x-amz-signature', 'x-amz-security-token', 'signature']);

/** An Authorization value with its credentials masked: SigV4 keeps Credential and SignedHeaders. */
export function maskAuthorization(value: string): string {
  if (/^AWS4-HMAC-SHA256\s/i.test(value)) return value.replace(/(Signature=)[0-9a-fA-F]*/i, `$1${MASK}`);
  const scheme = /^(\S+)\s+\S/.exec(value);
  return scheme ? `${scheme[1]} ${MASK}` : MASK;
}

/** One header value, masked when it carries a secret. */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization') return maskAuthorization(value);
  return SECRET_HEADERS.has(lower) ? MASK : value;
}

/** Headers (single or multi-valued) with secrets masked. */
export function maskHeaders(
  headers: Record<string, string | string[] | number | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value)
      ? value.map((v) => maskHeader(name, v))
      : maskHeader(name, String(value));
  }
  return out;
}

/** A query parameter's value, masked when it is a signature or token. */
export function maskQueryValue(name: string, value: string): string {
  return SECRET_QUERY.has(name.toLowerCase()) ? MASK : value;
}

/** A request target (path?query) with signatures in its query masked. */
export function maskTarget(target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return target;
  const query = target
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // Not decodable: compared as written.
      }
      return SECRET_QUERY.has(name.toLowerCase()) ? `${pair.slice(0, eq)}=${MASK}` : pair;
    })
    .join('&');
  return `${target.slice(0, q)}?${query}`;
}
