import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

/**
 * API Gateway's access logs: a one-line format of `$context` variables, written once per request
 * (gateway responses included). The presets are the console's CLF, JSON, XML and CSV templates
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html); variables
 * without a value print as `-`.
 */
export const ACCESS_LOG_PRESETS: Readonly<Record<string, string>> = {
  CLF: '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId',
  JSON: '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId", "ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }',
  XML: '<request id="$context.requestId"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>',
  CSV: '$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId',
};

/** The `accessLog` setting: a format (or a preset's name) and where lines go. */
export interface AccessLogSetting {
  /** The format as given: a preset name (CLF, JSON, XML, CSV) or `$context` text. */
  format: string;
  /** `stdout` (default), `stderr`, or a file path (appended to). */
  destination: string;
}

/** A format or destination API Gateway (or apigw) would refuse. */
export class AccessLogSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessLogSettingError';
  }
}

/** A variable reference: `$context.identity.sourceIp` (a trailing dot is punctuation, not a name). */
const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

/** A compiled format: literal text and variable names, alternating. */
export interface AccessLogFormat {
  readonly text: string;
  readonly parts: ReadonlyArray<{ literal: string } | { variable: string }>;
}

/** The format text a setting names (a preset by name, case-insensitively, else the text itself). */
export function formatText(format: string): string {
  return ACCESS_LOG_PRESETS[format.trim().toUpperCase()] ?? format;
}

/**
 * Checks and compiles a format as API Gateway does when a stage is updated: one line, at least
 * one `$context` variable, and `$context.requestId` or `$context.extendedRequestId` in it.
 */
export function compileAccessLogFormat(format: string): AccessLogFormat {
  const text = formatText(format);
  if (text.trim() === '')
    throw new AccessLogSettingError('accessLog.format: Access Log value must not be empty');
  if (/[\r\n]/.test(text)) throw new AccessLogSettingError('accessLog.format must be a single line');
  const parts: Array<{ literal: string } | { variable: string }> = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index! > last) parts.push({ literal: text.slice(last, m.index) });
    parts.push({ variable: m[1] });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  const names = parts.flatMap((p) => ('variable' in p ? [p.variable] : []));
  if (!names.includes('requestId') && !names.includes('extendedRequestId'))
    throw new AccessLogSettingError(
      'accessLog.format must contain $context.requestId or $context.extendedRequestId (as API Gateway requires)',
    );
  return { text, parts };
}

/** Reads a variable's value: a flat name first (access-log-only variables), else a path into `$context`. */
export type AccessLogValues = (name: string) => unknown;

/** One access log line; a value that is absent, null or empty prints as `-`. */
export function renderAccessLogLine(format: AccessLogFormat, values: AccessLogValues): string {
  let line = '';
  for (const part of format.parts) {
    if ('literal' in part) {
      line += part.literal;
      continue;
    }
    const value = values(part.variable);
    line += value === undefined || value === null || value === '' ? '-' : String(value);
  }
  return line;
}

/** Looks a dotted name up in nested objects: `identity.sourceIp` in `$context`. */
export function lookupPath(root: Record<string, unknown>, name: string): unknown {
  let value: unknown = root;
  for (const key of name.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'object' ? undefined : value;
}

/** Checks an `accessLog` setting of the config (a format string alone means stdout). */
export function parseAccessLogSetting(value: unknown, baseDir: string): AccessLogSetting {
  const raw =
    typeof value === 'string'
      ? { format: value }
      : value !== null && typeof value === 'object'
        ? value
        : undefined;
  if (raw === undefined || Array.isArray(raw))
    throw new AccessLogSettingError(
      'accessLog must be a format (CLF, JSON, XML, CSV or $context text) or a mapping with format and destination',
    );
  const { format, destination, ...other } = raw as Record<string, unknown>;
  const unknown = Object.keys(other);
  if (unknown.length > 0)
    throw new AccessLogSettingError(
      `accessLog: unknown setting '${unknown[0]}' (known: format, destination)`,
    );
  if (typeof format !== 'string') throw new AccessLogSettingError('accessLog.format must be a string');
  compileAccessLogFormat(format);
  if (destination !== undefined && (typeof destination !== 'string' || destination === ''))
    throw new AccessLogSettingError('accessLog.destination must be stdout, stderr or a file path');
  const where = (destination as string | undefined) ?? 'stdout';
  return {
    format,
    destination: where === 'stdout' || where === 'stderr' ? where : path.resolve(baseDir, where),
  };
}

/** Writes access log lines to stdout, stderr or a file (created with its directory, appended to). */
export class AccessLogWriter {
  readonly format: AccessLogFormat;
  private readonly file: WriteStream | undefined;

  constructor(readonly setting: AccessLogSetting) {
    this.format = compileAccessLogFormat(setting.format);
    if (setting.destination !== 'stdout' && setting.destination !== 'stderr') {
      mkdirSync(path.dirname(setting.destination), { recursive: true });
      this.file = createWriteStream(setting.destination, { flags: 'a' });
    }
  }

  write(values: AccessLogValues): string {
    const line = renderAccessLogLine(this.format, values);
    if (this.file) {
      // After a reload replaced this log, a request that was still running has nowhere to write.
      if (this.file.writable) this.file.write(line + '\n');
    } else (this.setting.destination === 'stderr' ? process.stderr : process.stdout).write(line + '\n');
    return line;
  }

  /** Flushes and closes a file destination. */
  close(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    return new Promise((resolve) => file.end(resolve));
  }
}
