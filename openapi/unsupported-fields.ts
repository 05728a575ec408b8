import { readFileSync } from 'node:fs';
import { parseDocumentText } from './parse';
import { pointerTo, Problems } from './problems';
import { isObject } from './values';

/**
 * The `x-amazon-apigateway-*` fields (and fields inside them) of a document that apigw reads but
 * does not act on, each with its JSON pointer: start-up lists them so that nothing is silently
 * ignored, and `--strict` refuses to start while there are any.
 */
export interface UnsupportedField {
  /** JSON pointer of the field in the document. */
  pointer: string;
  /** Why apigw does not honour it, in a few words. */
  reason: string;
}

const EXT = 'x-amazon-apigateway-';
const OPERATIONS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', `${EXT}any-method`]);

/** Root extensions apigw acts on, or that have no effect on a request in API Gateway either. */
const ROOT_HONOURED = new Set(
  [
    'binary-media-types',
    'gateway-responses',
    'request-validators',
    // API keys (gateway/access), resource policies (gateway/auth/resource-policy.ts).
    'api-key-source',
    'policy',
    'request-validator',
    // Export metadata and documentation parts: API Gateway itself does not use them to run a request.
    'importexport-version',
    'documentation',
    'tag-value',
  ].map((n) => EXT + n),
);

/** Root extensions apigw reads but does not (yet) act on. */
const ROOT_NOT_HONOURED: Record<string, string> = {
  [`${EXT}minimum-compression-size`]: 'responses are not compressed',
  [`${EXT}endpoint-configuration`]: 'endpoint types and VPC endpoints have no meaning for a local server',
  [`${EXT}cors`]: 'HTTP APIs only: a REST API ignores it',
  [`${EXT}integrations`]: 'HTTP APIs only: a REST API ignores it',
  [`${EXT}disable-schema-validation`]: 'HTTP APIs only: a REST API ignores it',
};

const OPERATION_HONOURED = new Set([`${EXT}integration`, `${EXT}auth`, `${EXT}request-validator`]);

/** Fields of an operation's x-amazon-apigateway-integration that apigw does not act on, when set. */
function integrationFields(
  integration: Record<string, unknown>,
  at: string,
  found: UnsupportedField[],
): void {
  const report = (field: string, reason: string) => found.push({ pointer: pointerTo(at, field), reason });
  // `credentials` (the integration's role) is not listed: start-up says once that roles are logged,
  // not assumed, and apigw signing with its own keys is what every local run of an AWS tutorial wants.
  if (
    typeof integration.connectionType === 'string' &&
    integration.connectionType.toUpperCase() === 'VPC_LINK'
  ) {
    report('connectionType', 'VPC links are not supported: the uri is called directly');
    if (integration.connectionId !== undefined) report('connectionId', 'VPC links are not supported');
  }
  if (isObject(integration.tlsConfig) && integration.tlsConfig.serverNameToVerify !== undefined)
    report('tlsConfig/serverNameToVerify', 'the server name is not checked against another name');
  if (
    typeof integration.responseTransferMode === 'string' &&
    integration.responseTransferMode.toUpperCase() !== 'BUFFERED'
  )
    report('responseTransferMode', 'response streaming mode is not implemented');
  for (const field of ['integrationSubtype', 'payloadFormatVersion'])
    if (integration[field] !== undefined) report(field, 'HTTP APIs only: a REST API ignores it');
}

/** Fields of a security scheme's x-amazon-apigateway-authorizer that apigw does not act on. */
function authorizerFields(authorizer: Record<string, unknown>, at: string, found: UnsupportedField[]): void {
  const report = (field: string, reason: string) => found.push({ pointer: pointerTo(at, field), reason });
  if (authorizer.authorizerCredentials !== undefined)
    report('authorizerCredentials', 'the role is not assumed: apigw invokes with its own credentials');
  for (const field of ['authorizerPayloadFormatVersion', 'enableSimpleResponses', 'jwtConfiguration'])
    if (authorizer[field] !== undefined) report(field, 'HTTP APIs only: a REST API ignores it');
}

/** Reports every x-amazon-apigateway-* key below `value` (none of them is honoured there). */
function strayExtensions(value: unknown, at: string, found: UnsupportedField[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => strayExtensions(item, pointerTo(at, i), found));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    const here = pointerTo(at, key);
    if (key.startsWith(EXT))
      found.push({ pointer: here, reason: `${key} has no meaning here; apigw ignores it` });
    else strayExtensions(inner, here, found);
  }
}

function securitySchemes(schemes: unknown, at: string, found: UnsupportedField[]): void {
  if (!isObject(schemes)) return;
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme)) continue;
    const schemeAt = pointerTo(at, name);
    for (const [key, value] of Object.entries(scheme)) {
      const here = pointerTo(schemeAt, key);
      if (key === `${EXT}authorizer`) {
        if (isObject(value)) authorizerFields(value, here, found);
      } else if (key === `${EXT}authtype`) {
        // awsSigv4, custom and cognito_user_pools are read with the authorizer.
      } else if (key.startsWith(EXT)) {
        found.push({ pointer: here, reason: `unknown extension ${key}; ignored` });
      }
    }
  }
}

/** Every x-amazon-apigateway-* field of a parsed OpenAPI document that apigw does not honour, in document order. */
export function unsupportedFields(document: unknown): UnsupportedField[] {
  const found: UnsupportedField[] = [];
  if (!isObject(document)) return found;
  for (const [key, value] of Object.entries(document)) {
    const here = pointerTo('', key);
    if (key.startsWith(EXT)) {
      if (ROOT_HONOURED.has(key)) continue;
      found.push({ pointer: here, reason: ROOT_NOT_HONOURED[key] ?? `unknown extension ${key}; ignored` });
    } else if (key === 'paths' && isObject(value)) {
      for (const [resourcePath, item] of Object.entries(value)) {
        if (!isObject(item)) continue;
        const itemAt = pointerTo(here, resourcePath);
        for (const [field, operation] of Object.entries(item)) {
          const fieldAt = pointerTo(itemAt, field);
          if (OPERATIONS.has(field) && isObject(operation)) {
            for (const [opField, opValue] of Object.entries(operation)) {
              const opAt = pointerTo(fieldAt, opField);
              if (opField === `${EXT}integration`) {
                if (isObject(opValue)) integrationFields(opValue, opAt, found);
              } else if (opField.startsWith(EXT)) {
                if (!OPERATION_HONOURED.has(opField))
                  found.push({ pointer: opAt, reason: `unknown extension ${opField}; ignored` });
              } else strayExtensions(opValue, opAt, found);
            }
          } else if (field.startsWith(EXT)) {
            found.push({ pointer: fieldAt, reason: `unknown extension ${field}; ignored` });
          } else strayExtensions(operation, fieldAt, found);
        }
      }
    } else if (key === 'securityDefinitions') {
      securitySchemes(value, here, found);
    } else if (key === 'components' && isObject(value)) {
      for (const [part, inner] of Object.entries(value)) {
        const partAt = pointerTo(here, part);
        if (part === 'securitySchemes') securitySchemes(inner, partAt, found);
        else strayExtensions(inner, partAt, found);
      }
    } else {
      strayExtensions(value, here, found);
    }
  }
  return found;
}

/** The unsupported fields of an OpenAPI file (none when it cannot be read or parsed: loading reports that). */
export function unsupportedFieldsOfFile(file: string): UnsupportedField[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const problems = new Problems(file);
  const document = parseDocumentText(text, problems);
  return problems.hasErrors ? [] : unsupportedFields(document);
}
