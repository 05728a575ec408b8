/** A function as an Invoke request names it: by name, partial ARN or ARN, with an optional qualifier. */
export interface FunctionReference {
  name: string;
  /** `$LATEST`, a version number or an alias, when one was given. */
  qualifier?: string;
  region?: string;
  accountId?: string;
}

const NAME = '([A-Za-z0-9_-]{1,64})';
const QUALIFIER = '(?::(\\$LATEST|[A-Za-z0-9_-]{1,128}))?';
// Any ARN ending in `:function:Name[:qualifier]` names the function: the partition, region and
// account are the caller's business (every function here lives in "this" account and region).
const ARN = new RegExp(`^arn:[^:]*:lambda:([^:]*):([^:]*):function:${NAME}${QUALIFIER}$`);
const PARTIAL_ARN = new RegExp(`^(\\d{12}):function:${NAME}${QUALIFIER}$`);
const PLAIN = new RegExp(`^${NAME}${QUALIFIER}$`);

/** The pattern Lambda cites when it refuses a FunctionName. */
export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

/** Parses the `{FunctionName}` of an Invoke path (already percent-decoded); undefined when malformed. */
export function parseFunctionReference(value: string): FunctionReference | undefined {
  let m = ARN.exec(value);
  if (m) {
    return {
      name: m[3],
      qualifier: m[4],
      region: m[1] === '' ? undefined : m[1],
      accountId: m[2] === '' ? undefined : m[2],
    };
  }
  m = PARTIAL_ARN.exec(value);
  if (m) return { name: m[2], qualifier: m[3], accountId: m[1] };
  m = PLAIN.exec(value);
  return m ? { name: m[1], qualifier: m[2] } : undefined;
}

/** The function's ARN as Lambda prints it in messages (`…:function:Name[:qualifier]`). */
export function functionArn(name: string, region: string, accountId: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}
