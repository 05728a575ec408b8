let loaded: typeof import('jose') | undefined;

/**
 * jose, loaded on first use: only APIs with a Cognito authorizer and `apigw token` need it, and
 * loading it took about a tenth of apigw's start-up (bench/results.md, "Start-up").
 */
export function jose(): typeof import('jose') {
  return (loaded ??= require('jose') as typeof import('jose'));
}
