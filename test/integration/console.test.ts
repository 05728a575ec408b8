import { TRACED_STAGES } from '../helpers/lifecycle-stages';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startS3ProxyExample, type RunningExample } from '../helpers/s3-proxy-example';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must install chromium for the console test`);
  console.warn(`console test skipped: ${CHROMIUM} is missing (install Debian's chromium package to run it)`);
}

/** Runs an expression in the page (strings: the test is compiled without the DOM's types). */
const inPage = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;

let example: RunningExample;
let browser: Browser;
let shots: string;

(haveChromium ? describe : describe.skip)('the console page in headless Chromium', () => {
  beforeAll(async () => {
    shots = mkdtempSync(path.join(tmpdir(), 'apigw-console-'));
    example = await startS3ProxyExample();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await example?.stop();
    // KEEP_CONSOLE_SCREENSHOT=1 keeps the screenshot to look at (its path is printed).
    if (shots && process.env.KEEP_CONSOLE_SCREENSHOT) console.log(`console screenshot: ${shots}/console.png`);
    else if (shots) rmSync(shots, { recursive: true, force: true });
  });

  test('lists the routes of examples/s3-proxy, sends a test invocation, shows its trace and the recent requests', async () => {
    const [, consoleUrl] = await example.proc.waitFor(/^Console: (http:\/\/\S+)\r?\n/m);
    expect(consoleUrl).toBe(`${new URL(example.baseUrl).origin}/.apigw/console/`);
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1400 });
    await page.goto(consoleUrl);

    // The routes: the eight methods of the tutorial, with their authorization and integration.
    await page.waitForFunction("document.querySelectorAll('#routes tbody tr').length === 8");
    const routes = await inPage<string[]>(
      page,
      "Array.from(document.querySelectorAll('#routes tbody tr'), (r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent).join(' | '))",
    );
    expect(routes[0]).toBe('GET | / | AWS_IAM | - | AWS s3 GET / (us-west-2)');
    expect(routes).toContain(
      'PUT | /{folder}/{item} | AWS_IAM | - | AWS s3 PUT /{bucket}/{object} (us-west-2)',
    );
    expect(await page.$eval('#api', (e) => e.textContent)).toContain('stage S3');

    // A test invocation: create a folder (bucket) through the API, signed for AWS_IAM.
    await page.click('#routes tbody tr:nth-child(3)');
    expect(await inPage(page, "document.querySelector('#method').value")).toBe('PUT');
    expect(await inPage(page, "document.querySelector('#sign').checked")).toBe(true);
    await inPage(page, "document.querySelector('#path').value = '/console-folder'");
    await page.click('#send');
    await page.waitForSelector('#response-status');
    expect(await page.$eval('#response-status', (e) => e.textContent)).toBe('200');

    // Then list the folders: the response body and the trace of every stage.
    await page.click('#routes tbody tr:nth-child(1)');
    await page.click('#send');
    await page.waitForFunction(
      "(document.querySelector('#response-body')?.textContent ?? '').includes('console-folder')",
    );
    expect(await page.$eval('#response-status', (e) => e.textContent)).toBe('200');
    const stages = await inPage<string[]>(
      page,
      "Array.from(document.querySelectorAll('#trace .stage'), (n) => n.getAttribute('data-stage'))",
    );
    expect(stages).toEqual(TRACED_STAGES);
    const traceText = await page.$eval('#trace', (e) => e.textContent ?? '');
    expect(traceText).toContain('"service": "s3"');
    expect(traceText).toContain('matched no selectionPattern: the default response');
    expect(traceText).toContain('Signature=****');
    expect(traceText).not.toMatch(/Signature=[0-9a-f]{64}/);

    // The recent requests list both calls; a click shows a trace.
    await page.waitForFunction("document.querySelectorAll('#recent tbody tr').length >= 2");
    await page.click('#recent tbody tr:nth-child(1)');
    await page.waitForSelector('#selected-trace .stage');

    const shot = path.join(shots, 'console.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
