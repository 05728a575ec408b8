#!/usr/bin/env bash
# The walk-through of examples/usage-plans/README.md with curl, checked. Start the API first, fresh
# (quotas are counted for the day: `apigw serve examples/usage-plans`), then:
#
#   ./examples/usage-plans/curl.sh
#
# Environment:
#   BASE_URL               the stage's base URL (default http://127.0.0.1:8080/v1, as printed by apigw)
#   AWS_ACCESS_KEY_ID      a key apigw accepts, to sign the admin calls (default: the development pair
#   AWS_SECRET_ACCESS_KEY  apigw prints when it runs without credentials)
#
# Every step checks the HTTP status (and the body where it matters) and stops at the first surprise.
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8080/v1}"
BASE_URL="${BASE_URL%/}"
ORIGIN="${BASE_URL%/*}"
AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-AKIAAPIGWDEVELOPMENT}"
AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-apigw+development+secret+key+01234567890}"
FREE='free-customer-key-0123456789'
PRO='pro-customer-key-0123456789a'

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/out"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# expect STATUS METHOD URL [curl options...]: one request, its body kept in $out.
expect() {
  local expected="$1" method="$2" url="$3" status
  shift 3
  echo "==> $method $url"
  status="$(curl -sS -X "$method" -o "$out" -w '%{http_code}' "$@" "$url")" || fail "$method $url: curl failed"
  echo "    HTTP $status $(head -c 200 "$out")"
  [ "$status" = "$expected" ] || fail "$method $url: expected HTTP $expected, got HTTP $status"
}

# body_has TEXT: the last body contains TEXT.
body_has() { grep -qF -- "$1" "$out" || fail "expected the body to contain $1, got $(head -c 300 "$out")"; }
computed_by() { sed -n 's/.*"computedBy": "\([^"]*\)".*/\1/p' "$out"; }
signed() { curl -sS --aws-sigv4 'aws:amz:us-east-1:execute-api' --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"; }

# 1. /status requires no key.
expect 200 GET "$BASE_URL/status"

# 2. Every API-key failure is 403 {"message":"Forbidden"}: no key, an unknown key.
expect 403 GET "$BASE_URL/forecast/paris"
body_has '{"message":"Forbidden"}'
expect 403 GET "$BASE_URL/forecast/paris" -H 'x-api-key: not-a-key-of-this-api-0000'
body_has '{"message":"Forbidden"}'

# 3. With a key: the integration runs once, the second call is a cache hit (same computedBy);
#    ?units is not a cache key parameter, another city is.
expect 200 GET "$BASE_URL/forecast/paris" -H "x-api-key: $FREE" # free quota: 1 of 8
body_has '"apiKeyId": "freekey001"'
first="$(computed_by)"
expect 200 GET "$BASE_URL/forecast/paris?units=metric" -H "x-api-key: $FREE" # 2
[ "$(computed_by)" = "$first" ] || fail "expected a cache hit"
expect 200 GET "$BASE_URL/forecast/rome" -H "x-api-key: $FREE" # 3
[ "$(computed_by)" != "$first" ] || fail "expected a cache miss for another city"

# 4. The Free plan's per-method limit: burst 2 for POST /reports, then 429 Too Many Requests
#    (with the Retry-After header the API's THROTTLED gateway response adds).
expect 202 POST "$BASE_URL/reports" -H "x-api-key: $FREE" # 4
expect 202 POST "$BASE_URL/reports" -H "x-api-key: $FREE" # 5
expect 429 POST "$BASE_URL/reports" -H "x-api-key: $FREE" -D "$work/headers"
body_has '{"message":"Too Many Requests"}'
grep -qi '^retry-after: 1' "$work/headers" || fail "expected Retry-After: 1"

# 5. The Free quota, 8 requests a day: three more pass, then 429 Limit Exceeded. The Pro key is not affected.
for n in 6 7 8; do expect 200 GET "$BASE_URL/forecast/oslo" -H "x-api-key: $FREE"; done
oslo="$(computed_by)"
expect 429 GET "$BASE_URL/forecast/oslo" -H "x-api-key: $FREE"
body_has '{"message":"Limit Exceeded"}'
expect 200 GET "$BASE_URL/forecast/oslo" -H "x-api-key: $PRO"
[ "$(computed_by)" = "$oslo" ] || fail "expected the Pro key to be served the cached entry (the key is not a cache key)"

# 6. GetUsage: requests per key and UTC day, [used, remaining], from apigw's admin endpoint (signed).
today="$(date -u +%F)"
echo "==> GET $ORIGIN/_apigw/usageplans/free/usage"
# The query in sorted order: curl 7.x signs it as written.
signed -o "$out" "$ORIGIN/_apigw/usageplans/free/usage?endDate=$today&startDate=$today"
echo "    $(cat "$out")"
body_has '"values":{"freekey001":[[8,0]]}'

# 7. FlushStageCache: the next forecast is computed again.
echo "==> GET $ORIGIN/_apigw/restapis"
api_id="$(signed "$ORIGIN/_apigw/restapis" | sed -n 's/.*"id":"\([a-z0-9]*\)".*/\1/p')"
[ -n "$api_id" ] || fail "no API id from GET /_apigw/restapis"
echo "    API $api_id"
echo "==> DELETE $ORIGIN/_apigw/restapis/$api_id/stages/v1/cache/data"
status="$(signed -o "$out" -w '%{http_code}' -X DELETE "$ORIGIN/_apigw/restapis/$api_id/stages/v1/cache/data")"
echo "    HTTP $status"
[ "$status" = 202 ] || fail "expected HTTP 202, got HTTP $status: $(cat "$out")"
expect 200 GET "$BASE_URL/forecast/oslo" -H "x-api-key: $PRO"
[ "$(computed_by)" != "$oslo" ] || fail "expected the flushed entry to be computed again"

echo "All steps passed."
