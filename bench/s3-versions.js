'use strict';
// What versioning costs the embedded S3's store (in process, no HTTP):
//
//   npm run build && node bench/s3-versions.js [--keys K] [--versions V]
//
// 1. Commits of 1 KiB objects per second (8 in flight), into a bucket that never had versioning
//    (each PUT replaces the key's file) and into one with versioning Enabled (each PUT adds a file).
// 2. Start-up: opening a store that holds K keys × V versions (every third key's latest a delete
//    marker), and the RSS it adds.
// 3. ListObjectVersions pages of 1000 over all of them, and ListObjectsV2-style pages of the
//    current objects (which skip the versions and the deleted keys).
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { finished } = require('node:stream/promises');
const { DiskStore } = require('../dist/gateway/backends/s3/store');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const KEYS = option('keys', 10_000);
const VERSIONS = option('versions', 10);
const COMMITS = 3000;
const CONCURRENCY = 8;
const owner = { id: 'b'.repeat(64), displayName: 'bench' };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const body = Buffer.alloc(1024, 'x');
const attributes = { owner, headers: {}, metadata: {}, checksums: {}, storageClass: 'STANDARD' };

async function put(store, bucket, key) {
  const staged = await store.stageObject(bucket);
  staged.stream.end(body);
  await finished(staged.stream);
  return staged.commit(key, attributes);
}

async function commitsPerSecond(store, bucket) {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < COMMITS) await put(store, bucket, `k${next++ % 100}`);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return COMMITS / (Number(process.hrtime.bigint() - started) / 1e9);
}

function ms(since) {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'apigw-bench-versions-'));
  try {
    let store = new DiskStore(dataDir, quiet);
    await store.open();
    for (const name of ['plain', 'versioned', 'many']) {
      await store.createBucket({ name, owner, creationDate: Date.now(), locationConstraint: '' });
    }
    await store.setBucketVersioning('versioned', 'Enabled');
    await store.setBucketVersioning('many', 'Enabled');
    const plain = await commitsPerSecond(store, 'plain');
    const versioned = await commitsPerSecond(store, 'versioned');
    console.log(
      `commits/s, 1 KiB, ${CONCURRENCY} in flight: unversioned ${plain.toFixed(0)}, Enabled ${versioned.toFixed(0)}`,
    );

    let made = 0;
    const keys = Array.from({ length: KEYS }, (_, i) => `dir${String(i % 50).padStart(2, '0')}/key-${i}`);
    const fill = async () => {
      while (made < KEYS * VERSIONS) {
        const n = made++;
        const key = keys[n % KEYS];
        const last = n >= KEYS * (VERSIONS - 1);
        if (last && (n % KEYS) % 3 === 0) await store.deleteObject('many', key);
        else await put(store, 'many', key);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, fill));
    await store.close();

    const rssBefore = process.memoryUsage().rss;
    const opening = process.hrtime.bigint();
    store = new DiskStore(dataDir, quiet);
    await store.open();
    const openMs = ms(opening);
    const rssMiB = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    console.log(
      `open with ${KEYS * VERSIONS + 100 + COMMITS} files (${KEYS} keys × ${VERSIONS} versions in one bucket): ${openMs.toFixed(0)} ms, +${rssMiB.toFixed(0)} MiB RSS`,
    );

    let pages = 0;
    let entries = 0;
    let query = { prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 1000 };
    const listing = process.hrtime.bigint();
    for (;;) {
      const page = store.listVersions('many', query);
      pages++;
      entries += page.entries.length;
      if (!page.isTruncated) break;
      query = { ...query, keyMarker: page.nextKeyMarker, versionIdMarker: page.nextVersionIdMarker };
    }
    const versionsMs = ms(listing);
    let objectPages = 0;
    let objects = 0;
    let after = '';
    const listingObjects = process.hrtime.bigint();
    for (;;) {
      const page = store.listObjects('many', { prefix: '', after, delimiter: '', maxKeys: 1000 });
      objectPages++;
      objects += page.entries.length;
      if (!page.isTruncated) break;
      after = page.last;
    }
    const objectsMs = ms(listingObjects);
    console.log(
      `ListObjectVersions: ${entries} entries in ${pages} pages, ${(versionsMs / pages).toFixed(2)} ms per page`,
    );
    console.log(
      `ListObjects: ${objects} current objects in ${objectPages} pages, ${(objectsMs / objectPages).toFixed(2)} ms per page`,
    );
    await store.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
