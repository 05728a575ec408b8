import type { PassthroughBehavior } from '../openapi/model';

/** The media type of a Content-Type header without parameters, lower-cased; absent → application/json. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return 'application/json';
  return contentType.split(';')[0].trim().toLowerCase();
}

/** What happens to a request body: passed through, rendered by a template, or refused with 415. */
export type RequestTemplateChoice =
  | { kind: 'passthrough' }
  | { kind: 'template'; contentType: string; template: string }
  | { kind: 'unsupported-media-type' };

/**
 * Template selection and passthrough behaviour
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html):
 * the request's media type picks a template; with none matching, WHEN_NO_MATCH passes the body
 * through, WHEN_NO_TEMPLATES only when no template is defined at all, NEVER refuses with 415.
 */
export function chooseRequestTemplate(
  templates: Record<string, string>,
  passthrough: PassthroughBehavior,
  contentType: string | undefined,
): RequestTemplateChoice {
  const mediaType = mediaTypeOf(contentType);
  const match = Object.keys(templates).find((k) => k.toLowerCase() === mediaType);
  if (match !== undefined) return { kind: 'template', contentType: match, template: templates[match] };
  const defined = Object.keys(templates).length > 0;
  if (passthrough === 'WHEN_NO_MATCH') return { kind: 'passthrough' };
  if (passthrough === 'WHEN_NO_TEMPLATES' && !defined) return { kind: 'passthrough' };
  return { kind: 'unsupported-media-type' };
}
