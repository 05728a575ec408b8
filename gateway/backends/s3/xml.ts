import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Errors } from './errors';

/** The namespace of every S3 response document except <Error>. */
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Markup that is already serialised; everything else given to `el` is text and gets escaped. */
export class Xml {
  constructor(readonly markup: string) {}
}

type Child = Xml | string | number | boolean | undefined | null | Child[];

// XML 1.0 cannot carry most C0 controls even as references; S3 keys may contain them, so they are
// written as numeric references (lenient parsers, the SDKs' included, read them back) and CR is
// referenced so that parsers do not normalise it away.
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[&<>"']|[\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f]/g, (c) => {
    return ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  });
}

function render(child: Child): string {
  if (child === undefined || child === null) return '';
  if (child instanceof Xml) return child.markup;
  if (Array.isArray(child)) return child.map(render).join('');
  return escapeXml(String(child));
}

/** Builds an element: `el('Key', 'a&b')`, `el('Contents', el('Key', k), el('Size', 3))`, attributes as a plain object. */
export function el(name: string, ...rest: Array<Child | Record<string, string>>): Xml {
  let attrs = '';
  const first = rest[0];
  if (first !== null && typeof first === 'object' && !(first instanceof Xml) && !Array.isArray(first)) {
    attrs = Object.entries(first as Record<string, string>)
      .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
      .join('');
    rest = rest.slice(1);
  }
  const content = (rest as Child[]).map(render).join('');
  return new Xml(content === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>`);
}

/** A complete document with the XML declaration S3 sends. */
export function xmlDocument(root: Xml): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.markup}`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  // Entities are decoded by decodeEntities below: the parser's own decoding drops character
  // references to control characters (`&#x1F;`), which S3 keys may hold.
  processEntities: false,
  // Elements that may repeat are always arrays, so a single <Object> is handled like many.
  isArray: (name) => ['Object', 'Part', 'Grant', 'Tag'].includes(name),
});

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and numeric character references in text. */
function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw S3Errors.malformedXML();
    return String.fromCodePoint(code);
  });
}

function decodeEntities(value: unknown): unknown {
  if (typeof value === 'string') return decodeText(value);
  if (Array.isArray(value)) return value.map(decodeEntities);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeEntities(v)]));
  }
  return value;
}

// A document type declaration is where external entities and entity expansion ("billion laughs")
// come from; no S3 request document has one, so any is refused before parsing.
const DOCTYPE = /<!DOCTYPE|<!ENTITY/i;

/**
 * Parses a request body; anything that is not well-formed XML, or that declares a DOCTYPE, is
 * MalformedXML (a 400 with an XML error document), as S3 answers.
 */
export function parseXml(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (DOCTYPE.test(text) || XMLValidator.validate(text) !== true) throw S3Errors.malformedXML();
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch {
    throw S3Errors.malformedXML();
  }
  const parsed: unknown = decodeEntities(tree);
  if (parsed === null || typeof parsed !== 'object') throw S3Errors.malformedXML();
  return parsed as Record<string, unknown>;
}

/** True when every child of a parsed element is one of `names` (the XML declaration aside, at the root). */
export function onlyChildren(value: Record<string, unknown>, names: readonly string[]): boolean {
  return Object.keys(value).every((name) => name === '?xml' || names.includes(name));
}

/** A parsed element's children, or undefined when it is missing or is plain text (an empty element). */
export function childrenOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The text of a leaf element; undefined when missing or not a leaf. */
export function textOf(parent: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = parent?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The repeated elements `name` (parsed as arrays); [] when there are none. */
export function listOf(parent: Record<string, unknown> | undefined, name: string): unknown[] {
  const value = parent?.[name];
  return Array.isArray(value) ? value : [];
}
