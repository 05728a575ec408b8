import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's chromium (CI installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `describe` when a browser test can run, else `describe.skip` with a line saying why. In CI
 * (`CI` set) a missing Chromium is not skipped: the tests run and fail at launch.
 */
export function describeWithBrowser(): jest.Describe {
  if (existsSync(CHROMIUM) || process.env.CI) return describe;
  process.stderr.write(`browser tests skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)\n`);
  return describe.skip;
}

/** Headless Chromium; throws a clear error when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: install chromium or set CHROMIUM_PATH`);
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI containers) Chromium refuses its sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** A web server on its own origin serving one empty HTML page, the page a test's script runs in. */
export async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    const body = '<!doctype html><html><head><title>page</title></head><body>page</body></html>';
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
