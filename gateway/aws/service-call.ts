import { compileUriTemplate, type UriTemplate } from '../../mappings/uri-template';
import type { IntegrationTarget } from '../../openapi/model';
import { actionJsonProtocol, hostPrefixOf, signingNameOf } from './services';

/**
 * An `aws` integration uri, compiled when the API loads: which service it calls and how the
 * request goes on the wire (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html):
 * - `…:{service}:path/{path}`: the rendered path, the query from requestParameters;
 * - `…:{service}:action/{Action}[&k=v…]`: `POST|GET / ?Action={Action}&k=v…`, the uri's pairs
 *   first, then the mapped query parameters (a mapped name replaces the uri's pair of that name).
 * `{name}` placeholders (path values) are filled per request, `${stageVariables.x}` here.
 */
export interface AwsServiceCall {
  /** The endpoint prefix: the last label of the uri's `{subdomain.}{service}`. */
  readonly service: string;
  readonly subdomain: string | undefined;
  readonly region: string;
  /** The SigV4 service name (`states`, `ses` for `email`...). */
  readonly signingName: string;
  /** The operation's host prefix (`sync-` for Step Functions' StartSyncExecution), else ''. */
  readonly hostPrefix: string;
  readonly form: 'path' | 'action';
  /** The action of an `action/` uri. */
  readonly action: string | undefined;
  /** The request path: the `path/` uri's, `/` for an action. */
  readonly path: UriTemplate;
  /** `Action` and the uri's `&k=v` pairs, values still to be filled (and then percent-decoded). */
  readonly uriQuery: ReadonlyArray<{ name: string; value: UriTemplate }>;
  /** Content-Type and X-Amz-Target API Gateway adds to this action when none is mapped. */
  readonly protocolHeaders: { contentType: string; target: string } | undefined;
}

/** A percent-decoded query value; a broken escape is kept as written. */
function decodeQueryValue(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

/** Compiles an `aws` uri; undefined for targets that are not AWS services. */
export function compileAwsServiceCall(
  target: IntegrationTarget,
  stageVariables: Record<string, string>,
): AwsServiceCall | undefined {
  if (target.kind !== 'aws-path' && target.kind !== 'aws-action') return undefined;
  const common = {
    service: target.service,
    subdomain: target.subdomain,
    region: target.region,
    signingName: signingNameOf(target.service, target.subdomain),
  };
  if (target.kind === 'aws-path') {
    return {
      ...common,
      hostPrefix: '',
      form: 'path',
      action: undefined,
      path: compileUriTemplate(target.path, stageVariables, 'path'),
      uriQuery: [],
      protocolHeaders: undefined,
    };
  }
  const action = target.action.replace(
    /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g,
    (_m, name: string) => stageVariables[name] ?? '',
  );
  const pairs = target.parameters === '' ? [] : target.parameters.split('&').filter((p) => p !== '');
  const protocol = actionJsonProtocol(target.service, target.subdomain);
  return {
    ...common,
    hostPrefix: hostPrefixOf(target.service, action),
    form: 'action',
    action,
    path: compileUriTemplate('/', stageVariables, 'path'),
    uriQuery: [
      { name: 'Action', value: compileUriTemplate(action, {}, 'path') },
      ...pairs.map((pair) => {
        const eq = pair.indexOf('=');
        const name = decodeQueryValue(eq < 0 ? pair : pair.slice(0, eq));
        return { name, value: compileUriTemplate(eq < 0 ? '' : pair.slice(eq + 1), stageVariables, 'path') };
      }),
    ],
    protocolHeaders: protocol && {
      contentType: protocol.contentType,
      target: `${protocol.targetPrefix}.${action}`,
    },
  };
}

/**
 * The query of the service request: the uri's pairs (values filled from the path values and
 * decoded), then the mapped ones; a mapped name replaces the uri's pairs of that name.
 */
export function serviceQuery(
  call: AwsServiceCall,
  pathValues: Record<string, string>,
  mapped: ReadonlyArray<[string, string]>,
): Array<[string, string]> {
  if (call.uriQuery.length === 0) return [...mapped];
  const mappedNames = new Set(mapped.map(([name]) => name));
  const query: Array<[string, string]> = [];
  for (const { name, value } of call.uriQuery) {
    if (!mappedNames.has(name)) query.push([name, decodeQueryValue(value.render(pathValues))]);
  }
  query.push(...mapped);
  return query;
}
