import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates a directory and its missing parents one level at a time. Node's `{ recursive: true }`
 * retries forever where a parent answers every mkdir with ENOENT (anything under /proc), which
 * would hang start-up; here that is an ordinary ENOENT error naming the directory.
 */
export function createDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
