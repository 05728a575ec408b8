import { load as loadYaml } from 'js-yaml';
import { Problems } from './problems';

/**
 * Parses document text as JSON or YAML, chosen by content rather than file extension (exports are
 * often saved as `.txt` or without one). Reports a syntax error with its line and column.
 */
export function parseDocumentText(text: string, problems: Problems): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.trim() === '') {
    problems.error('', 'the file is empty: expected an OpenAPI 2.0 or 3.x document (JSON or YAML)');
    return undefined;
  }
  return /^\s*[{[]/.test(source) ? parseJson(source, problems) : parseYaml(source, problems);
}

function parseJson(source: string, problems: Problems): unknown {
  try {
    return JSON.parse(source);
  } catch (e) {
    const message = (e as Error).message;
    const offset = jsonErrorOffset(source, message);
    const where = offset === undefined ? '' : ` at ${lineAndColumn(source, offset)}`;
    problems.error('', `invalid JSON${where}: ${jsonReason(message)}`);
    return undefined;
  }
}

function parseYaml(source: string, problems: Problems): unknown {
  try {
    return loadYaml(source);
  } catch (e) {
    const error = e as { reason?: unknown; mark?: { line?: unknown; column?: unknown }; message?: unknown };
    const reason = typeof error.reason === 'string' ? error.reason : String(error.message);
    const mark = error.mark;
    const where =
      mark && typeof mark.line === 'number' && typeof mark.column === 'number'
        ? ` at line ${mark.line + 1}, column ${mark.column + 1}`
        : '';
    problems.error('', `invalid YAML${where}: ${reason}`);
    return undefined;
  }
}

const UNEXPECTED_TOKEN = /^Unexpected token '([\s\S]+?)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/;

// V8 gives either "at position N" or, for an unexpected token, a snippet cut 10 characters either
// side of the error; the snippet's cut marks locate it. A short document comes whole: no position.
function jsonErrorOffset(source: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const token = UNEXPECTED_TOKEN.exec(message);
  if (!token) return /Unexpected end of JSON input/.test(message) ? source.length : undefined;
  const [, , cutBefore, snippet, cutAfter] = token;
  if (cutBefore) {
    const start = source.indexOf(snippet);
    return start < 0 ? undefined : start + 10;
  }
  return cutAfter ? snippet.length - 10 : undefined;
}

// The line and column we add say more than V8's offset and snippet.
function jsonReason(message: string): string {
  const token = UNEXPECTED_TOKEN.exec(message);
  if (token) return `unexpected token '${token[1]}'`;
  return message.replace(/ in JSON at position \d+.*$/s, '').replace(/ at position \d+.*$/s, '');
}

function lineAndColumn(text: string, offset: number): string {
  const lines = text.slice(0, offset).split('\n');
  return `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
}
