import { Transform } from 'node:stream';
import { GatewayErrors } from '../gateway-error';
import { lastHeaderValue } from '../header-values';
import type { IntegrationResult, Invocation } from '../invocation';
import type { Logger } from '../log';

/** The integration response's Content-Length, when it sent one. */
export function reportedLength(result: IntegrationResult): number | undefined {
  const raw = lastHeaderValue(result.headers, 'content-length');
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
}

/** What AWS writes to the execution log, and the 500 the client gets (an API_CONFIGURATION_ERROR). */
function tooLarge(inv: Invocation, length: string, log: Logger): Error {
  log.error(
    `${inv.requestId} Execution failed due to configuration error: Integration response of ${length} ` +
      `is larger than allowed maximum of ${inv.maxPayload} bytes.`,
  );
  return GatewayErrors.apiConfigurationError();
}

/**
 * The response payload limit
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html; AWS logs "Integration
 * response of reported length N is larger than allowed maximum of 10485760 bytes" and answers 500
 * Internal server error). A reported Content-Length over the limit is refused before any byte is
 * read. A body of unknown length streams through a counter: past the limit it fails, which is the
 * same 500 when the body is being buffered (templates, conversions) and a cut connection when it
 * was already streaming to the client (its status line is gone). HEAD answers carry no payload,
 * whatever their length. Replaces `result.body` with the counted stream.
 */
export function enforceResponseLimit(
  inv: Invocation,
  result: IntegrationResult,
  integrationMethod: string,
  log: Logger,
): void {
  const limit = inv.maxPayload;
  if (!Number.isFinite(limit) || integrationMethod === 'HEAD') return;
  if (result.body.kind === 'buffer') {
    if (result.body.data.length > limit) throw tooLarge(inv, `length ${result.body.data.length}`, log);
    return;
  }
  const stream = result.body.stream;
  const reported = reportedLength(result);
  if (reported !== undefined) {
    if (reported <= limit) return;
    // Not destroyed: that would cut the keep-alive connection to the backend for nothing.
    stream.resume();
    throw tooLarge(inv, `reported length ${reported}`, log);
  }
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen <= limit) return done(null, chunk);
      // The rest is of no use to anyone: cut the backend off rather than read it all.
      stream.unpipe(counter);
      stream.destroy();
      done(tooLarge(inv, `length ${seen} and more`, log));
    },
  });
  stream.once('error', (e) => counter.destroy(e));
  result.body = { kind: 'stream', stream: stream.pipe(counter) };
}
