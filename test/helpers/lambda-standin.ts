import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What a stand-in function does with an event: return a result, or throw to report a function error. */
export type StandInFunction = (
  event: unknown,
  invocation: { functionName: string; headers: IncomingMessage['headers'] },
) => unknown;

/** One call the stand-in Lambda received. */
export interface LambdaCall {
  functionName: string;
  path: string;
  event: unknown;
  headers: IncomingMessage['headers'];
  /** The SigV4 signature checked out for service lambda with the expected key. */
  signatureValid: boolean;
  region: string | undefined;
}

export interface LambdaStandIn {
  url: string;
  calls: LambdaCall[];
  close(): Promise<void>;
}

/**
 * A stand-in for the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) that checks
 * the SigV4 signature it receives by recomputing it, and runs JavaScript functions by name (the
 * last segment of the ARN, qualifier dropped).
 */
export async function startLambdaStandIn(
  functions: Record<string, StandInFunction>,
  keys: { accessKeyId: string; secretAccessKey: string },
): Promise<LambdaStandIn> {
  const calls: LambdaCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0];
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
    if (req.method !== 'POST' || !m) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"Type":"User","message":"not found"}');
      return;
    }
    const arn = decodeURIComponent(m[1]);
    const parts = arn.split(':');
    const functionName = arn.startsWith('arn:') ? parts[6] : arn;
    const auth = String(req.headers.authorization ?? '');
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/lambda\/aws4_request/.exec(auth)?.[1];
    let signatureValid = false;
    if (region) {
      const headers: Record<string, string> = {};
      const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1].split(';') ?? [];
      for (const h of signed) headers[h] = String(req.headers[h]);
      const amzDate = String(req.headers['x-amz-date']);
      const date = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      );
      const resigned = await new SignatureV4({
        service: 'lambda',
        region,
        credentials: keys,
        sha256: Sha256,
        applyChecksum: false,
      }).sign(
        new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path, headers, body }),
        { signingDate: date },
      );
      signatureValid = resigned.headers.authorization === auth;
    }
    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      event = body.toString('utf8');
    }
    calls.push({ functionName, path, event, headers: req.headers, signatureValid, region });
    const fn = functions[functionName];
    if (!fn) {
      res.writeHead(404, {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'ResourceNotFoundException',
      });
      res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${arn}` }));
      return;
    }
    try {
      const result = await fn(event, { functionName, headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' });
      res.end(result === undefined ? 'null' : JSON.stringify(result));
    } catch (e) {
      const err = e as Error;
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: err.name ?? 'Error', errorMessage: err.message, trace: [] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
