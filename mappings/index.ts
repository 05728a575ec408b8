/** The public surface of the pure request/response transforms. */
export * from './parameters';
