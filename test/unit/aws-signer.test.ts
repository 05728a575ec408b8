import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { buildQueryString } from '@smithy/querystring-builder';
import { SignatureV4 } from '@smithy/signature-v4';
import { signRequest, type RequestToSign } from '../../gateway/aws/signer';

const NOW = new Date('2026-12-07T10:11:12.345Z');
const KEYS = {
  accessKeyId: 'AKIAEXAMPLE000000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** What the AWS SDK's own signer sends for the same request. */
async function sdkSigned(
  req: RequestToSign,
  service: string,
  region: string,
  credentials: typeof KEYS & { sessionToken?: string },
): Promise<{ headers: Record<string, string>; target: string }> {
  const isS3 = service === 's3';
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of req.query) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({
    service,
    region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: !isS3,
    applyChecksum: isS3,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      path: req.path,
      query,
      headers: { ...req.headers },
      body: req.body,
    }),
    { signingDate: NOW },
  );
  const qs = buildQueryString(signed.query ?? {});
  return { headers: signed.headers, target: qs ? `${signed.path}?${qs}` : signed.path };
}

const CASES: Array<{ name: string; service: string; req: RequestToSign; sessionToken?: string }> = [
  {
    name: 'S3 GET of an object, no body',
    service: 's3',
    req: {
      method: 'GET',
      path: '/bucket/photos%2Fcat.jpg',
      query: [],
      headers: { host: '127.0.0.1:4568', Accept: 'application/json', 'User-Agent': 'AmazonAPIGateway_x' },
      body: undefined,
    },
  },
  {
    name: 'S3 PUT with a body whose hash is signed, repeated and odd query names, spaces in header values',
    service: 's3',
    req: {
      method: 'PUT',
      path: '/bucket/a%20b/c~d',
      query: [
        ['b', '2'],
        ['a', 'x y'],
        ['b', '1'],
        ['weird*()!', "it's"],
        ['empty', ''],
      ],
      headers: {
        host: 's3.us-west-2.amazonaws.com',
        'Content-Type': 'text/plain',
        'x-amz-meta-note': '  two   spaces\tand tab ',
        'content-length': '5',
        'X-Amzn-Trace-Id': 'Root=1-abc',
      },
      body: Buffer.from('hello'),
    },
  },
  {
    name: 'S3 streamed upload (UNSIGNED-PAYLOAD) with a session token, caller Date/Authorization dropped',
    service: 's3',
    sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN//+=',
    req: {
      method: 'PUT',
      path: '/bucket/big',
      query: [],
      headers: {
        host: 'localhost',
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        Date: 'Mon, 07 Dec 2026 10:00:00 GMT',
        Authorization: 'Bearer nope',
        'proxy-thing': 'x',
        'sec-fetch-mode': 'cors',
      },
      body: undefined,
    },
  },
  {
    name: 'Lambda Invoke: the path is normalised and encoded twice',
    service: 'lambda',
    req: {
      method: 'POST',
      path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3ACalc/./x/../invocations',
      query: [],
      headers: {
        host: '127.0.0.1:4569',
        'Content-Type': 'application/json',
        'X-Amz-Invocation-Type': 'Event',
      },
      body: Buffer.from('{"a":1}'),
    },
  },
  {
    name: 'a service with a query action and an empty body',
    service: 'sqs',
    req: {
      method: 'GET',
      path: '/123456789012/queue/',
      query: [
        ['Action', 'SendMessage'],
        ['MessageBody', 'héllo wörld & more=1'],
      ],
      headers: { host: 'sqs.eu-west-1.amazonaws.com' },
      body: Buffer.alloc(0),
    },
  },
];

describe('outbound SigV4 signer', () => {
  test.each(CASES)('$name: identical to @smithy/signature-v4', async ({ service, req, sessionToken }) => {
    const credentials = { ...KEYS, ...(sessionToken ? { sessionToken } : {}) };
    const ours = signRequest(req, {
      service,
      region: 'us-east-1',
      credentials,
      uriEscapePath: service !== 's3',
      applyChecksum: service === 's3',
      now: NOW,
    });
    const theirs = await sdkSigned(req, service, 'us-east-1', credentials);
    expect(ours.headers).toEqual(theirs.headers);
    expect(ours.target).toBe(theirs.target);
    expect(ours.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/20261207/us-east-1/${service}/aws4_request, `,
      ),
    );
  });

  test('the signature changes with the secret, the day and the region (keys are cached per scope, not shared)', () => {
    const req = CASES[0].req;
    const sign = (secret: string, now: Date, region: string) =>
      signRequest(req, {
        service: 's3',
        region,
        credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: secret },
        uriEscapePath: false,
        applyChecksum: true,
        now,
      }).headers.authorization;
    const base = sign('one', NOW, 'us-east-1');
    expect(sign('one', NOW, 'us-east-1')).toBe(base);
    expect(sign('two', NOW, 'us-east-1')).not.toBe(base);
    expect(sign('one', new Date('2026-12-08T10:11:12Z'), 'us-east-1')).not.toBe(base);
    expect(sign('one', NOW, 'eu-west-1')).not.toBe(base);
  });
});
