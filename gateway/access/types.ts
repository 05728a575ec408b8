import type { MethodResponseOut } from '../invocation';

/** The API key a key-required method was called with, validated against the stage's usage plans. */
export interface ValidatedApiKey {
  id: string;
  value: string;
  /** The usage plan that admits the key for this API stage. */
  planId: string;
}

/** What the stage cache decided for one request. */
export interface InvocationCache {
  /** The entry's key in the state store. */
  key: string;
  ttlSeconds: number;
  /** The response came from the cache: the integration is not called. */
  hit: boolean;
  /** Headers the response gets besides the cached ones (the ignored Cache-Control warning). */
  extraHeaders?: Record<string, string>;
  /** A cached response ready to send, on a hit. */
  response?: MethodResponseOut;
}
