import type { ApiDefinition, Method } from '../../openapi/model';
import { lambdaFunctionOf } from '../integrations/lambda';

/** One method of an API as `apigw routes` and the start-up report show it. */
export interface RouteRow {
  method: string;
  /** The resource path template, e.g. `/{folder}/{item}`. */
  path: string;
  /** NONE, AWS_IAM, or the authorizer: `CUSTOM (name)`, `COGNITO_USER_POOLS (name)`. */
  auth: string;
  apiKeyRequired: boolean;
  /** The integration in one line: type, then what it calls. */
  integration: string;
}

/** What a method's integration calls, in one line. */
export function describeIntegration(method: Method, stageVariables: Record<string, string> = {}): string {
  const { integration } = method;
  const verb = integration.httpMethod?.toUpperCase();
  const target = integration.target;
  switch (target.kind) {
    case 'none':
      return integration.type;
    case 'http':
      return `${integration.type} ${verb ?? method.httpMethod} ${target.url}`;
    case 'aws-action':
      return `${integration.type} ${target.service} action ${target.action} (${target.region})`;
    case 'aws-path': {
      const fn = lambdaFunctionOf(integration, stageVariables);
      if (fn !== undefined)
        return `${integration.type} lambda function ${fn.replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '')}`;
      return `${integration.type} ${target.service} ${verb ?? method.httpMethod} ${target.path} (${target.region})`;
    }
  }
}

/** Every method of an API, in document order. */
export function routeTable(api: ApiDefinition, stageVariables: Record<string, string> = {}): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      const m = method!;
      rows.push({
        method: m.httpMethod,
        path: resource.path,
        auth:
          m.authorizerName === undefined
            ? m.authorizationType
            : `${m.authorizationType} (${m.authorizerName})`,
        apiKeyRequired: m.apiKeyRequired,
        integration: describeIntegration(m, stageVariables),
      });
    }
  }
  return rows;
}

/** The rows as an aligned text table with a header line. */
export function formatRouteTable(rows: readonly RouteRow[]): string {
  const table = [
    ['METHOD', 'PATH', 'AUTH', 'API KEY', 'INTEGRATION'],
    ...rows.map((r) => [r.method, r.path, r.auth, r.apiKeyRequired ? 'required' : '-', r.integration]),
  ];
  const widths = table[0].map((_h, i) => Math.max(...table.map((row) => row[i].length)));
  return table
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
    .join('\n');
}
