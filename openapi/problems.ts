/** Problems found while importing an API document, each tied to a JSON pointer (RFC 6901). */

export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  /** JSON pointer into the document, e.g. `/paths/~1{folder}/get/x-amazon-apigateway-integration/uri`; '' is the whole document. */
  pointer: string;
  message: string;
}

/** `file#pointer: severity: message`, the one-line form printed at start-up. */
export function formatProblem(p: Problem): string {
  return `${p.file}#${p.pointer}: ${p.severity}: ${p.message}`;
}

/** Appends reference tokens to a JSON pointer, escaping `~` and `/` as RFC 6901 requires. */
export function pointerTo(base: string, ...tokens: Array<string | number>): string {
  return base + tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The reference tokens of a JSON pointer, unescaped. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Collects problems for one file; a shared `$ref` target reached twice reports once. */
export class Problems {
  readonly list: Problem[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly file: string) {}

  error(pointer: string, message: string): void {
    this.add('error', pointer, message);
  }

  warning(pointer: string, message: string): void {
    this.add('warning', pointer, message);
  }

  get hasErrors(): boolean {
    return this.list.some((p) => p.severity === 'error');
  }

  private add(severity: Problem['severity'], pointer: string, message: string): void {
    const key = `${severity}\0${pointer}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ severity, file: this.file, pointer, message });
  }
}
