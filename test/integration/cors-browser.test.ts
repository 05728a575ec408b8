import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { describeWithBrowser, launchBrowser, startPageServer } from '../helpers/browser';
import { REPO } from '../helpers/cli';
import { importJWK, SignJWT } from 'jose';
import { developmentKey } from '../../gateway/auth/user-pools';
import { loadConfigFile } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/serve';

// CORS tried as a front-end developer meets it: a page served from one origin fetches the API on
// another (another port) in headless Chromium, which sends the preflights and enforces the
// answers. Once with an API exported after "Enable CORS" (OPTIONS mock + CORS gateway responses,
// AWS's own way), once with an API that has nothing for CORS, served with --cors.

const FIXTURES = path.join(REPO, 'test/fixtures/cors');
const ENV = { AWS_ACCESS_KEY_ID: 'AKIACORSBROWSER00001', AWS_SECRET_ACCESS_KEY: 'cors-browser-secret' };

/** What the page could read of its two calls, or the error fetch threw (a CORS failure). */
interface PageOutcome {
  put: { status: number; body: string; requestId: string | null } | { error: string };
  get: { status: number; body: string; errorType: string | null } | { error: string };
}

let browser: Browser;
let page: { origin: string; close(): Promise<void> };
let dir: TempDir;
const gateways: RunningGateway[] = [];

async function serve(api: string, cors?: string): Promise<RunningGateway> {
  const gateway = await startGateway(
    {
      api: path.join(FIXTURES, api),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      ...(cors === undefined ? {} : { cors }),
    },
    recordingLogger().log,
    ENV,
  );
  gateways.push(gateway);
  return gateway;
}

/** Runs the two calls from a page of `page.origin` against the stage URL. */
async function callFromPage(stageUrl: string): Promise<PageOutcome> {
  const tab = await browser.newPage();
  try {
    await tab.goto(`${page.origin}/`);
    return await tab.evaluate(async (base: string) => {
      const outcome: Record<string, unknown> = {};
      try {
        // A custom header and a JSON body make this a preflighted request.
        const put = await fetch(`${base}/items/42`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json', 'X-Custom': 'from-the-page' },
          body: '{"name":"lamp"}',
        });
        outcome.put = {
          status: put.status,
          body: await put.text(),
          requestId: put.headers.get('x-amzn-RequestId'),
        };
      } catch (e) {
        outcome.put = { error: String(e) };
      }
      try {
        // No such resource: the gateway's own 403 (MISSING_AUTHENTICATION_TOKEN).
        const get = await fetch(`${base}/nothing/here`);
        outcome.get = {
          status: get.status,
          body: await get.text(),
          errorType: get.headers.get('x-amzn-ErrorType'),
        };
      } catch (e) {
        outcome.get = { error: String(e) };
      }
      return outcome as unknown as PageOutcome;
    }, stageUrl);
  } finally {
    await tab.close();
  }
}

describeWithBrowser()('CORS in a real browser (headless Chromium)', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    page = await startPageServer();
  });

  afterAll(async () => {
    await browser?.close();
    await page?.close();
  });

  beforeEach(() => {
    dir = tempDir('apigw-cors-browser-');
  });

  afterEach(async () => {
    // Chromium keeps (and pre-opens) connections: cut them rather than wait for them to go idle.
    for (const gateway of gateways.splice(0)) await gateway.close(0);
    dir.remove();
  });

  test('an API exported after "Enable CORS" works from another origin as on AWS', async () => {
    const gateway = await serve('exported-cors.yaml');
    const outcome = await callFromPage(gateway.url);
    expect(outcome.put).toEqual({
      status: 200,
      body: '{"id": "42", "custom": "from-the-page"}',
      // Not exposed by the PUT's method response: a page cannot read it, as on AWS.
      requestId: null,
    });
    expect(outcome.get).toEqual({
      status: 403,
      body: '{"message":"Missing Authentication Token"}',
      // Exposed by DEFAULT_4XX's Access-Control-Expose-Headers.
      errorType: 'MissingAuthenticationTokenException',
    });
  });

  test('without CORS in the API the browser refuses both calls (AWS behaviour)', async () => {
    const gateway = await serve('no-cors.yaml');
    const outcome = await callFromPage(gateway.url);
    expect(outcome.put).toEqual({ error: expect.stringContaining('Failed to fetch') });
    expect(outcome.get).toEqual({ error: expect.stringContaining('Failed to fetch') });
  });

  test('--cors makes the same API usable from the page, gateway errors included', async () => {
    const gateway = await serve('no-cors.yaml', '*');
    const outcome = await callFromPage(gateway.url);
    expect(outcome.put).toEqual({
      status: 200,
      body: '{"id": "42", "custom": "from-the-page"}',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(outcome.get).toEqual({
      status: 403,
      body: '{"message":"Missing Authentication Token"}',
      errorType: 'MissingAuthenticationTokenException',
    });
  });

  test('--cors ORIGIN allows only that origin', async () => {
    const allowed = await serve('no-cors.yaml', page.origin);
    expect((await callFromPage(allowed.url)).put).toMatchObject({ status: 200 });
    const other = await serve('no-cors.yaml', 'http://elsewhere.example:3000');
    const outcome = await callFromPage(other.url);
    expect(outcome.put).toEqual({ error: expect.stringContaining('Failed to fetch') });
    expect(outcome.get).toEqual({ error: expect.stringContaining('Failed to fetch') });
  });

  test('a page calls a Cognito-protected API (examples/notes) with its token; without one it reads the 401', async () => {
    const config = loadConfigFile(path.join(REPO, 'examples/notes/apigw.yaml'));
    const gateway = await startGateway(
      { ...config, api: config.api!, port: 0, host: '127.0.0.1', dataDir: dir.dir },
      recordingLogger().log,
      ENV,
    );
    gateways.push(gateway);
    const key = developmentKey(dir.dir, 'us-east-1_NotesDemo').privateJwk;
    const token = await new SignJWT({
      sub: 'alice',
      'cognito:username': 'alice',
      token_use: 'id',
      aud: 'notesdemowebclient',
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_NotesDemo')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key, 'RS256'));
    const tab = await browser.newPage();
    try {
      await tab.goto(`${page.origin}/`);
      const outcome = await tab.evaluate(
        async (base: string, jwt: string) => {
          // The Authorization header makes it a preflighted request, answered by the API's OPTIONS mock.
          const signedIn = await fetch(`${base}/notes`, { headers: { Authorization: jwt } });
          const anonymous = await fetch(`${base}/notes`);
          return {
            signedIn: { status: signedIn.status, body: await signedIn.json() },
            anonymous: { status: anonymous.status, body: await anonymous.text() },
          };
        },
        gateway.url,
        token,
      );
      expect(outcome).toEqual({
        signedIn: { status: 200, body: { owner: 'alice', email: '', notes: ['buy milk', 'call mum'] } },
        anonymous: { status: 401, body: '{"message":"Unauthorized"}' },
      });
    } finally {
      await tab.close();
    }
  });
});
