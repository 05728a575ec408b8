import type { IncomingHttpHeaders } from 'node:http';
import { canonicalRequest, sign, signaturesEqual, stringToSign } from './canonical';

/**
 * Clients disagree with AWS on a few encoding details, so a verifier may try a few readings of
 * each part of the request. A reading is one way of reading a part, with the client quirk it
 * stands for (none: AWS's own way).
 */
export interface Reading<T = string> {
  value: T;
  quirk?: string;
}

/** The readings of each part of one request; the first of each list is AWS's own. */
export interface Readings {
  method: string;
  signedHeaders: readonly string[];
  headers: ReadonlyArray<Reading<IncomingHttpHeaders>>;
  uris: readonly Reading[];
  queries: readonly Reading[];
  payloads: readonly Reading[];
}

/** One canonical request worth trying, and the quirks it assumes. */
export interface Candidate {
  canonical: string;
  quirks: string[];
}

/**
 * Every combination of readings, AWS's own (the first of each list) first and the others by fewest
 * quirks (ties in list order). Built lazily: most requests need just the first.
 */
export function* candidates(readings: Readings): Generator<Candidate> {
  const { headers, uris, queries, payloads } = readings;
  const build = (combo: readonly number[], quirks: string[]): Candidate => ({
    canonical: canonicalRequest({
      method: readings.method,
      headers: headers[combo[0]].value,
      uri: uris[combo[1]].value,
      query: queries[combo[2]].value,
      payloadHash: payloads[combo[3]].value,
      signedHeaders: readings.signedHeaders,
    }),
    quirks,
  });
  yield build([0, 0, 0, 0], []);
  const rest: Array<{ combo: number[]; quirks: string[] }> = [];
  for (let h = 0; h < headers.length; h++)
    for (let u = 0; u < uris.length; u++)
      for (let q = 0; q < queries.length; q++)
        for (let p = 0; p < payloads.length; p++) {
          if (h + u + q + p === 0) continue;
          const quirks = [headers[h], uris[u], queries[q], payloads[p]]
            .map((reading) => reading.quirk)
            .filter((quirk): quirk is string => quirk !== undefined);
          rest.push({ combo: [h, u, q, p], quirks });
        }
  // Array.prototype.sort is stable: equal quirk counts keep the list order.
  rest.sort((a, b) => a.quirks.length - b.quirks.length);
  for (const { combo, quirks } of rest) yield build(combo, quirks);
}

/** What a signature check found: the candidate that matched, or the first one (AWS's) to report. */
export type SignatureCheck =
  { matched: true; candidate: Candidate } | { matched: false; canonical: string; stringToSign: string };

/** Recomputes the signature over each candidate until one matches the signature provided. */
export function matchSignature(
  key: Buffer,
  amzDate: string,
  scope: string,
  provided: string,
  tries: Iterable<Candidate>,
): SignatureCheck {
  let first: Candidate | undefined;
  for (const candidate of tries) {
    first ??= candidate;
    if (signaturesEqual(sign(key, stringToSign(amzDate, scope, candidate.canonical)), provided)) {
      return { matched: true, candidate };
    }
  }
  const canonical = (first as Candidate).canonical;
  return { matched: false, canonical, stringToSign: stringToSign(amzDate, scope, canonical) };
}
