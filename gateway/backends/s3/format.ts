import type { Owner } from './identity';
import { el, type Xml } from './xml';

/** ISO-8601 with milliseconds, as S3 writes times inside XML. */
export function xmlTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** IMF-fixdate, whole seconds, as S3 writes times in headers (Last-Modified). */
export function httpTime(ms: number): string {
  return new Date(ms).toUTCString();
}

/** ETags are always quoted on the wire. */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

/** An <Owner> (or other named) block with the canonical id and display name. */
export function ownerXml(owner: Owner, name = 'Owner'): Xml {
  return el(name, el('ID', owner.id), el('DisplayName', owner.displayName));
}

/** encoding-type=url: every byte but unreserved characters and `/` as %XX (space → %20). */
export function urlEncodeKey(value: string): string {
  return encodeURIComponent(value)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
