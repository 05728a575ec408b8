/**
 * An object operation named a bucket the store does not have. The protocol layer checks first,
 * so this means a programming error or a bucket deleted while a write was being staged.
 */
export class NoSuchBucketError extends Error {
  override name = 'NoSuchBucketError';

  constructor(readonly bucket: string) {
    super(`the S3 store has no bucket named ${JSON.stringify(bucket)}`);
  }
}
