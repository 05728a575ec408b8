/** A part was written to a multipart upload that no longer exists (completed or aborted meanwhile). */
export class NoSuchUploadError extends Error {
  override name = 'NoSuchUploadError';

  constructor(readonly uploadId: string) {
    super(`the S3 store has no multipart upload ${JSON.stringify(uploadId)}`);
  }
}
