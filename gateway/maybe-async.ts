/**
 * A value now, or later. Stages stay synchronous in the common case (no promise, no microtask per
 * request) and become asynchronous only when they must wait, e.g. for a template rendered off the
 * event loop.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `fn(value)` now when the value is there, after it resolves otherwise. */
export function thenMaybe<T, R>(value: MaybePromise<T>, fn: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
