/**
 * The embedded emulators, loaded when something needs them. Together they are about a fifth of
 * the code apigw loads (the S3 protocol, its store, its XML parser; the Lambda runtime), and many
 * processes never run one: the workers of `apigw serve --workers` call the primary's, an API that
 * calls no S3 runs no S3, one without functions no Lambda (bench/results.md, "Start-up").
 */
export function embeddedS3(): typeof import('./backends/s3') {
  return require('./backends/s3') as typeof import('./backends/s3');
}

/** The embedded Lambda (see embeddedS3); also what reads the config's `functions`. */
export function embeddedLambda(): typeof import('./backends/lambda') {
  return require('./backends/lambda') as typeof import('./backends/lambda');
}

/** True for the embedded S3's refusal of a data directory another process holds. */
export function isDataDirInUse(e: unknown): e is Error {
  // The name first: an error of any other kind does not load the emulator to be told apart.
  return e instanceof Error && e.name === 'DataDirInUseError' && e instanceof embeddedS3().DataDirInUseError;
}
