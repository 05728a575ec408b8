import type { IntegrationTarget, IntegrationType } from './model';

/** An integration uri that API Gateway would refuse; the message is AWS's where AWS has one. */
export class IntegrationUriError extends Error {
  override name = 'IntegrationUriError';
}

const ARN = /^arn:aws[a-z-]*:apigateway:([^:]*):([^:]*):(.*)$/s;
const ARN_FORM = 'arn:aws:apigateway:{region}:{service}:path/{path} or ...:action/{action}';

/**
 * Reads where an integration sends requests from its `uri`
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html); throws
 * IntegrationUriError.
 */
export function parseIntegrationUri(type: IntegrationType, uri: string | undefined): IntegrationTarget {
  if (type === 'MOCK') return { kind: 'none' };
  if (uri === undefined || uri === '') {
    throw new IntegrationUriError(`an integration of type ${type} needs a 'uri'`);
  }
  if (type === 'HTTP' || type === 'HTTP_PROXY') return { kind: 'http', url: parseHttpUri(uri) };
  const target = parseAwsArn(uri);
  if (type === 'AWS_PROXY' && target.service !== 'lambda' && target.service !== 'firehose') {
    throw new IntegrationUriError(
      "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
    );
  }
  return target;
}

function parseHttpUri(uri: string): string {
  // Placeholders are filled per request; stand-ins (a port where one may be) let the URL parser check the rest.
  const probe = uri
    .replace(/:\$\{stageVariables\.[A-Za-z0-9_]*\}(?=[/?#]|$)/g, ':1')
    .replace(/\$\{stageVariables\.[A-Za-z0-9_]*\}/g, 'stagevariable')
    .replace(/\{[^{}/]*\}/g, 'placeholder');
  let url: URL | undefined;
  try {
    url = new URL(probe);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new IntegrationUriError(
      `Invalid HTTP endpoint specified for URI: '${uri}' is not an absolute http:// or https:// URL`,
    );
  }
  return uri;
}

function parseAwsArn(uri: string): Extract<IntegrationTarget, { kind: 'aws-path' | 'aws-action' }> {
  const arn = ARN.exec(uri);
  if (!arn) {
    throw new IntegrationUriError(
      `Invalid ARN specified in the request: '${uri}' is not of the form ${ARN_FORM}`,
    );
  }
  const [, region, servicePart, rest] = arn;
  if (region === '') throw new IntegrationUriError(`AWS ARN for integration must name a region: '${uri}'`);
  if (servicePart === '')
    throw new IntegrationUriError(`AWS ARN for integration must name a service: '${uri}'`);
  // `subdomain.service` addresses e.g. an IoT endpoint; the service is after the last dot.
  const dot = servicePart.lastIndexOf('.');
  const service = servicePart.slice(dot + 1);
  const subdomain = dot < 0 ? undefined : servicePart.slice(0, dot);

  if (rest.startsWith('path/')) {
    const path = rest.slice('path/'.length);
    // `path//` is the service root and `path//2015-03-31/...` is the same as `path/2015-03-31/...`.
    return { kind: 'aws-path', region, service, subdomain, path: path.startsWith('/') ? path : '/' + path };
  }
  if (rest.startsWith('action/')) {
    const [action, ...parameters] = rest.slice('action/'.length).split('&');
    if (action === '') {
      throw new IntegrationUriError(`AWS ARN for integration must name an action after 'action/': '${uri}'`);
    }
    return { kind: 'aws-action', region, service, subdomain, action, parameters: parameters.join('&') };
  }
  throw new IntegrationUriError(`AWS ARN for integration must contain path or action: '${uri}'`);
}
