/**
 * The handler the embedded Lambda runs for a template function it cannot run itself (another
 * runtime, a container image, code only in S3): every invocation fails, as an invocation of a
 * function whose runtime cannot start fails on AWS, so its routes answer 502 as they would there.
 * The reason was reported at start-up and is repeated in the function's error.
 */
export async function handler(): Promise<never> {
  throw new Error(process.env.APIGW_UNRUNNABLE_REASON ?? 'this function cannot run on the embedded Lambda');
}
