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

/**
 * A JSON body with the values of secret-named keys masked wherever they are (a Lambda proxy event
 * carries the client's headers, a template may copy an Authorization header into the body);
 * undefined when the text is not JSON or holds no such key.
 */
export function maskJsonBody(text: string): string | undefined {
  if (!/authorization|x-amz-security-token|x-api-key|cookie|signature/i.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(node)) {
      if (typeof inner === 'string') out[key] = maskHeader(key, maskQueryValue(key, inner));
      else if (Array.isArray(inner) && inner.every((v) => typeof v === 'string'))
        out[key] = inner.map((v: string) => maskHeader(key, maskQueryValue(key, v)));
      else out[key] = walk(inner);
    }
    return out;
  };
  return JSON.stringify(walk(value));
}

/** Masks secrets in text that is not whole JSON (a body cut short): secret-named JSON members and SigV4 signatures. */
export function maskText(text: string): string {
  return text
    .replace(
      /("(?:authorization|x-amz-security-token|x-api-key|cookie|proxy-authorization)"\s*:\s*)("(?:[^"\\]|\\.)*"|\[[^\]]*\])/gi,
      `$1"${MASK}"`,
    )
    .replace(/((?:X-Amz-)?Signature=)[0-9a-f]{64}/gi, `$1${MASK}`);
}
