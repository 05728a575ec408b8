import path from 'node:path';

/** One function of the embedded Lambda, as configured under `functions:` (paths already absolute). */
export interface FunctionConfig {
  handler: {
    /** Absolute path of the module: `.js`, `.cjs`, `.mjs` or `.ts`. */
    file: string;
    /** The exported function to call (`handler` unless `path#name` says otherwise). */
    exportName: string;
  };
  /** Seconds before the invocation is stopped (1–900, default 3 as on Lambda). */
  timeout: number;
  /** MB (128–10240, default 128), enforced as the worker's heap limit. */
  memory: number;
  /** Environment variables of the function, on top of Lambda's own. */
  environment: Record<string, string>;
}

/** Functions by name. */
export type FunctionsConfig = Record<string, FunctionConfig>;

/** A `functions:` entry that cannot run; the message names the entry and the key. */
export class FunctionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionConfigError';
  }
}

/** Lambda's defaults for a function's timeout (seconds) and memory (MB). */
export const DEFAULT_TIMEOUT_SECONDS = 3;
/** Lambda's default memory size (MB). */
export const DEFAULT_MEMORY_MB = 128;
const HANDLER_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts'];
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Lambda sets these itself and refuses them in a function's configuration. */
export const RESERVED_ENVIRONMENT = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Splits `path/to/file.js#name` (no `#`: export `handler`) and resolves the path against baseDir. */
export function parseHandler(spec: string, baseDir: string, where: string): FunctionConfig['handler'] {
  const hash = spec.lastIndexOf('#');
  const file = hash < 0 ? spec : spec.slice(0, hash);
  const exportName = hash < 0 ? 'handler' : spec.slice(hash + 1);
  if (file === '') throw new FunctionConfigError(`${where}: handler needs a file, as in calc.js#handler`);
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(exportName)) {
    throw new FunctionConfigError(`${where}: '${exportName}' is not an export name (handler: file.js#name)`);
  }
  const ext = path.extname(file).toLowerCase();
  if (!HANDLER_EXTENSIONS.includes(ext)) {
    throw new FunctionConfigError(
      `${where}: the handler must be a ${HANDLER_EXTENSIONS.join(', ')} file, got ${JSON.stringify(file)}`,
    );
  }
  return { file: path.resolve(baseDir, file), exportName };
}

function integerIn(value: unknown, min: number, max: number, where: string, unit: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new FunctionConfigError(
      `${where} must be a whole number of ${unit} between ${min} and ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function environmentOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FunctionConfigError(`${where} must be a mapping of names to values`);
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!ENV_NAME.test(name)) throw new FunctionConfigError(`${where}.${name}: not a valid variable name`);
    if (RESERVED_ENVIRONMENT.has(name)) {
      throw new FunctionConfigError(`${where}.${name}: reserved by Lambda, which sets it itself`);
    }
    if (!['string', 'number', 'boolean'].includes(typeof v)) {
      throw new FunctionConfigError(`${where}.${name} must be a string, got ${JSON.stringify(v)}`);
    }
    out[name] = String(v);
  }
  return out;
}

/** Checks one `functions.<name>` entry; relative handler paths resolve against baseDir. */
export function parseFunction(name: string, raw: unknown, baseDir: string, where: string): FunctionConfig {
  const at = `${where}: functions.${name}`;
  if (!FUNCTION_NAME.test(name)) {
    throw new FunctionConfigError(`${at}: a function name is 1 to 64 letters, digits, '-' or '_'`);
  }
  const entry = typeof raw === 'string' ? { handler: raw } : raw;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new FunctionConfigError(
      `${at} must be a mapping with a handler (and timeout, memory, environment)`,
    );
  }
  const { handler, timeout, memory, environment, ...unknown } = entry as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) {
    throw new FunctionConfigError(
      `${at}: unknown key '${extra[0]}' (known: handler, timeout, memory, environment)`,
    );
  }
  if (typeof handler !== 'string' || handler === '') {
    throw new FunctionConfigError(`${at}.handler must be a path such as calc.js#handler`);
  }
  return {
    handler: parseHandler(handler, baseDir, `${at}.handler`),
    timeout:
      timeout === undefined
        ? DEFAULT_TIMEOUT_SECONDS
        : integerIn(timeout, 1, 900, `${at}.timeout`, 'seconds'),
    memory: memory === undefined ? DEFAULT_MEMORY_MB : integerIn(memory, 128, 10240, `${at}.memory`, 'MB'),
    environment: environmentOf(environment, `${at}.environment`),
  };
}

/** Checks the `functions:` mapping of a config file. */
export function parseFunctions(raw: unknown, baseDir: string, where: string): FunctionsConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FunctionConfigError(
      `${where}: functions must be a mapping of function names to their settings`,
    );
  }
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([name, entry]) => [
      name,
      parseFunction(name, entry, baseDir, where),
    ]),
  );
}
