import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LambdaLogger } from '../../gateway/backends/lambda';

/** The key pair the Lambda tests sign with. */
export const LAMBDA_KEYS = { accessKeyId: 'AKIALAMBDARUNTIME001', secretAccessKey: 'lambda-runtime-secret' };

/** What an Invoke call answered. */
export interface InvokeResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Options of one Invoke call. */
export interface InvokeOptions {
  keys?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Send the request unsigned. */
  unsigned?: boolean;
  /** Another method or path than Invoke's (for other operations). */
  method?: string;
  path?: string;
}

/**
 * Calls the Invoke API (`POST /2015-03-31/functions/{name}/invocations`) signed with SigV4 for
 * service lambda exactly as the AWS SDKs sign it.
 */
export async function invokeFunction(
  baseUrl: string,
  functionName: string,
  payload: string | Buffer,
  options: InvokeOptions = {},
): Promise<InvokeResponse> {
  const url = new URL(baseUrl);
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const request = new HttpRequest({
    method: options.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: options.path ?? `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    query: options.query ?? {},
    headers: { host: url.host, 'content-type': 'application/json', ...(options.headers ?? {}) },
    body,
  });
  const signed = options.unsigned
    ? request
    : await new SignatureV4({
        service: 'lambda',
        region: options.region ?? 'us-east-1',
        credentials: options.keys ?? LAMBDA_KEYS,
        sha256: Sha256,
      }).sign(request);
  const query = new URLSearchParams(options.query ?? {}).toString();
  const method = options.method ?? 'POST';
  const res = await fetch(`${baseUrl}${signed.path}${query ? `?${query}` : ''}`, {
    method,
    headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host')),
    body: method === 'GET' ? undefined : body,
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** A logger that keeps every line (to look for a function's console output). */
export function recordingLogger(): LambdaLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/**
 * CPU time this process used over a short window, as a share of the window: a worker left spinning
 * in a loop shows as about 1.0, an idle process as about 0.
 */
/**
 * The lowest CPU share of up to `windows` consecutive windows of `ms`: a thread left spinning keeps
 * every window near 1, while V8's own background threads (garbage collection, optimising
 * compilation) may fill the first one right after a worker is torn down, then go quiet.
 */
export async function settledCpuShare(ms: number, windows = 4): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < windows && lowest >= 0.5; i++) lowest = Math.min(lowest, await cpuShareOver(ms));
  return lowest;
}

export async function cpuShareOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = process.cpuUsage(before);
  const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
  return (used.user + used.system) / elapsedUs;
}
