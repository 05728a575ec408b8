#!/usr/bin/env bash
# Every case of examples/binary-s3/README.md with curl, checked. Start the API first
# (`apigw serve examples/binary-s3`), then:
#
#   ./examples/binary-s3/curl.sh
#
# Environment:
#   BASE_URL   the stage's base URL (default http://127.0.0.1:8080/v1, as printed by apigw)
#   BUCKET     bucket to create (default: a fresh images-<time>-<pid>)
#   BIG=1      also send an 11 MB body: 413 (unless apigw runs with --max-payload none: then 200)
#
# Every step checks the HTTP status (and the bytes that matter) and stops at the first surprise.
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8080/v1}"
BASE_URL="${BASE_URL%/}"
BUCKET="${BUCKET:-images-$(date +%s)-$$}"
BIG="${BIG:-0}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/out"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# expect STATUS METHOD PATH [curl options...]: one request, its payload kept in $out.
expect() {
  local expected="$1" method="$2" path="$3" status
  shift 3
  echo "==> $method $BASE_URL$path"
  status="$(curl -sS -X "$method" -o "$out" -w '%{http_code}' "$@" "$BASE_URL$path")" ||
    fail "$method $path: curl failed"
  echo "    HTTP $status"
  [ "$status" = "$expected" ] || fail "$method $path: expected HTTP $expected, got HTTP $status: $(head -c 300 "$out")"
}

same() { cmp -s "$1" "$2" || fail "$3"; }

# A JPEG-like image: the JPEG start marker, then bytes that are anything but UTF-8.
image="$work/image.jpg"
{ printf '\xff\xd8\xff\xe0'; head -c 100000 /dev/urandom; } >"$image"

# 0. The bucket: PUT /s3?key=<bucket> is S3's CreateBucket (the uri is path/{key}).
expect 200 PUT "/s3?key=$BUCKET"

# 1. Raw bytes with a binary Content-Type are stored exactly as sent.
expect 200 PUT "/s3?key=$BUCKET/image.jpg" -H 'Content-Type: application/octet-stream' --data-binary "@$image"

# 2. ...and come back exactly with a binary Accept.
expect 200 GET "/s3?key=$BUCKET/image.jpg" -H 'Accept: application/octet-stream'
same "$out" "$image" "GET with Accept: application/octet-stream did not return the uploaded bytes"

# 3. With a text Accept (no template) the same object comes back as base64 text.
expect 200 GET "/s3?key=$BUCKET/image.jpg" -H 'Accept: application/json'
base64 <"$image" | tr -d '\n' >"$work/image.b64"
same "$out" "$work/image.b64" "GET with Accept: application/json did not return the bytes as base64"

# 4. The response template of /s3/json: base64 inside JSON.
expect 200 GET "/s3/json?key=$BUCKET/image.jpg" -H 'Accept: application/json'
printf '{\n   "image": "%s"\n}' "$(cat "$work/image.b64")" >"$work/image.json"
same "$out" "$work/image.json" 'GET /s3/json did not return {"image": "<base64>"}'

# 5. A base64 string sent as application/json is decoded before S3 stores it (CONVERT_TO_BINARY).
expect 200 PUT "/s3?key=$BUCKET/seed.jpg" -H 'Content-Type: application/json' --data-binary 'W3JhdyBieXRlc10='
expect 200 GET "/s3?key=$BUCKET/seed.jpg" -H 'Accept: application/json'
[ "$(cat "$out")" = '[raw bytes]' ] || fail "the base64 upload was not stored decoded: $(cat "$out")"

# 6. Text that is not base64, sent as application/json: 500, nothing stored (S3's 404 for the
#    object goes through the API's `default` integration response: 500 with S3's error XML).
expect 500 PUT "/s3?key=$BUCKET/oops.jpg" -H 'Content-Type: application/json' --data-binary '{"not": "base64"}'
expect 500 GET "/s3?key=$BUCKET/oops.jpg" -H 'Accept: application/json'
grep -q '<Code>NoSuchKey</Code>' "$out" || fail "oops.jpg was stored after all"

# 7. The base64 upload kept the client's Content-Type (application/json, text): a binary Accept
#    asks for base64 decoding of its raw bytes, which fails with 500.
expect 500 GET "/s3?key=$BUCKET/seed.jpg" -H 'Accept: application/octet-stream'

# 8. Payloads over 10 MB are refused before anything reaches S3.
if [ "$BIG" = 1 ]; then
  head -c 11000000 /dev/urandom >"$work/big.bin"
  status="$(curl -sS -X PUT -o "$out" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
    --data-binary "@$work/big.bin" "$BASE_URL/s3?key=$BUCKET/big.bin")"
  echo "==> PUT $BASE_URL/s3?key=$BUCKET/big.bin (11 MB)"
  echo "    HTTP $status $(cat "$out")"
  case "$status" in
    413) [ "$(cat "$out")" = '{"message":"Request Too Long"}' ] || fail "unexpected 413 body" ;;
    200) expect 200 GET "/s3?key=$BUCKET/big.bin" -H 'Accept: application/octet-stream'
         same "$out" "$work/big.bin" "the 11 MB object did not come back intact" ;;
    *) fail "11 MB upload: expected 413 (or 200 with --max-payload none), got $status" ;;
  esac
fi

echo "OK: every case behaved as API Gateway does"
