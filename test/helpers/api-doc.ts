import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { createLogger, type Logger } from '../../gateway/log';

/** An integration response: `statusCode` plus optional header mappings (`method.response.header.X`). */
export interface ResponseSpec {
  statusCode: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
}

/** One method of a test API, integrated through an `aws` (or other) integration. */
export interface OperationSpec {
  /** The integration uri, e.g. `arn:aws:apigateway:eu-west-3:s3:path/bucket/{key}`. */
  uri: string;
  /** The integration's httpMethod (default GET). */
  httpMethod?: string;
  /** Integration type (default aws). */
  type?: string;
  /** Method authorization (default NONE). */
  auth?: 'NONE' | 'AWS_IAM';
  /** Declared query parameters and headers of the method request. */
  query?: string[];
  headers?: string[];
  requestParameters?: Record<string, string>;
  /** Integration responses by selection pattern (default: `default` → 200). */
  responses?: Record<string, ResponseSpec>;
  timeoutInMillis?: number;
}

/** Methods by OpenAPI operation key (`get`, `put`, ..., `x-amazon-apigateway-any-method`), by path. */
export type PathsSpec = Record<string, Record<string, OperationSpec>>;

function operation(resourcePath: string, spec: OperationSpec): Record<string, unknown> {
  const responses = spec.responses ?? { default: { statusCode: '200' } };
  // Every status an integration response produces is declared, with the headers it maps.
  const methodResponses: Record<string, { description: string; headers?: Record<string, unknown> }> = {};
  for (const r of Object.values(responses)) {
    const declared = (methodResponses[r.statusCode] ??= { description: `status ${r.statusCode}` });
    for (const destination of Object.keys(r.responseParameters ?? {})) {
      const name = destination.replace(/^method\.response\.header\./, '');
      (declared.headers ??= {})[name] = { schema: { type: 'string' } };
    }
  }
  const parameters = [
    ...[...resourcePath.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    })),
    ...(spec.query ?? []).map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
    ...(spec.headers ?? []).map((name) => ({ name, in: 'header', schema: { type: 'string' } })),
  ];
  return {
    ...(parameters.length ? { parameters } : {}),
    responses: methodResponses,
    'x-amazon-apigateway-auth': { type: spec.auth ?? 'NONE' },
    'x-amazon-apigateway-integration': {
      type: spec.type ?? 'aws',
      httpMethod: spec.httpMethod ?? 'GET',
      uri: spec.uri,
      passthroughBehavior: 'when_no_match',
      ...(spec.timeoutInMillis === undefined ? {} : { timeoutInMillis: spec.timeoutInMillis }),
      ...(spec.requestParameters ? { requestParameters: spec.requestParameters } : {}),
      responses,
    },
  };
}

/** An OpenAPI 3.0 document (no servers, so the stage is `dev`) with the given methods. */
export function apiDocument(title: string, paths: PathsSpec): Record<string, unknown> {
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    paths: Object.fromEntries(
      Object.entries(paths).map(([p, methods]) => [
        p,
        Object.fromEntries(Object.entries(methods).map(([m, spec]) => [m, operation(p, spec)])),
      ]),
    ),
  };
}

/** A temporary folder for API documents and data, removed by `remove()`. */
export interface TempDir {
  readonly dir: string;
  /** Writes text as is, else `document` as YAML (`.yaml`) or JSON (other extensions); returns its path. */
  write(name: string, document: unknown): string;
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    write(name, document) {
      const file = path.join(dir, name);
      const text =
        typeof document === 'string'
          ? document
          : name.endsWith('.yaml')
            ? yaml.dump(document)
            : JSON.stringify(document, null, 2);
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A logger that keeps every line (for asserting start-up warnings) and prints nothing. */
export function recordingLogger(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (l) => lines.push(l)) };
}
