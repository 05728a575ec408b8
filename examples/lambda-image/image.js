'use strict';
// The `image` function behind AWS's "Access binary files in Lambda" example: it stores images
// under a key and returns them. It understands the three events the example's API sends it:
//   {"imageKey": "k", "image": "<base64>"}   (PUT, non-proxy)   → store the bytes
//   {"imageKey": "k"}                        (GET, non-proxy)   → the image as a base64 string
//   a Lambda proxy event for GET /lambda?key=k                  → the image as bytes or as JSON
// Images are kept as files in IMAGE_DIR (default: <tmp>/apigw-lambda-image), as a real function
// would keep them in S3 (/tmp is the only writable place a Lambda function has).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const IMAGE_DIR = process.env.IMAGE_DIR || path.join(os.tmpdir(), 'apigw-lambda-image');
const TYPES = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif' };

/** The file of a key; keys are plain file names, so a key can never reach outside IMAGE_DIR. */
function fileOf(key) {
  if (typeof key !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(key)) {
    throw new Error(`Bad Request: '${key}' is not an image key (letters, digits, '.', '_', '-')`);
  }
  return path.join(IMAGE_DIR, key);
}

function readImage(key) {
  try {
    return fs.readFileSync(fileOf(key));
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error(`Not Found: no image named '${key}'`);
    throw e;
  }
}

function storeImage(key, base64) {
  const compact = String(base64).replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new Error('Bad Request: the image is not base64');
  }
  const bytes = Buffer.from(compact, 'base64');
  fs.mkdirSync(IMAGE_DIR, { recursive: true });
  // Write then rename: a reader never sees half an image.
  const temp = `${fileOf(key)}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, fileOf(key));
  console.log(`stored ${key} (${bytes.length} bytes)`);
  return { imageKey: key, bytes: bytes.length };
}

/** GET through a proxy integration: bytes (base64 + isBase64Encoded) unless the client asks for JSON. */
function proxyGet(event) {
  const key = (event.queryStringParameters || {}).key;
  const headers = Object.fromEntries(
    Object.entries(event.headers || {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const wantsJson = (headers.accept || '').split(',')[0].trim().toLowerCase().startsWith('application/json');
  let image;
  try {
    image = readImage(key);
  } catch (e) {
    const status = e.message.startsWith('Not Found') ? 404 : 400;
    return {
      statusCode: status,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: e.message }),
    };
  }
  if (wantsJson) {
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: image.toString('base64') }),
    };
  }
  return {
    statusCode: 200,
    headers: { 'Content-Type': TYPES[path.extname(key).toLowerCase()] || 'application/octet-stream' },
    body: image.toString('base64'),
    isBase64Encoded: true,
  };
}

exports.handler = async (event) => {
  if (event && typeof event.httpMethod === 'string') return proxyGet(event);
  if (!event || typeof event !== 'object') throw new Error('Bad Request: expected {"imageKey": …}');
  if (event.image !== undefined) return storeImage(event.imageKey, event.image);
  return readImage(event.imageKey).toString('base64');
};
