import {
  CORE_SCHEMA,
  defineMappingTag,
  defineScalarTag,
  defineSequenceTag,
  load,
  type Schema,
} from 'js-yaml';

/**
 * CloudFormation's YAML short forms (`!Ref X`, `!Sub '…'`, `!GetAtt A.B`, `!If [c, a, b]`, …) read
 * as their long forms (`{ Ref: X }`, `{ 'Fn::Sub': '…' }`, `{ 'Fn::GetAtt': ['A', 'B'] }`), so the
 * rest of the loader sees one spelling. Each tag may be written on a scalar, a list or a mapping.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
const SHORT_FORMS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Not: 'Fn::Not',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  ImportValue: 'Fn::ImportValue',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  GetAZs: 'Fn::GetAZs',
  Transform: 'Fn::Transform',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
};

function tagsFor(short: string, long: string) {
  const wrap = (value: unknown) => ({ [long]: value });
  return [
    defineScalarTag(`!${short}`, {
      // `!GetAtt Resource.Attribute` is the one short form whose scalar is split.
      resolve: (source) => {
        if (long !== 'Fn::GetAtt') return wrap(source);
        const dot = source.indexOf('.');
        return wrap(dot < 0 ? [source] : [source.slice(0, dot), source.slice(dot + 1)]);
      },
      identify: () => false,
    }),
    defineSequenceTag<unknown[], unknown>(`!${short}`, {
      create: () => [],
      addItem: (items, item) => void items.push(item),
      finalize: wrap,
      identify: () => false,
    }),
    defineMappingTag<Record<string, unknown>, unknown>(`!${short}`, {
      create: () => ({}),
      addPair: (map, key, value) => {
        Object.defineProperty(map, String(key), {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        return '';
      },
      has: (map, key) => Object.hasOwn(map, String(key)),
      keys: (result) => Object.keys((result as Record<string, Record<string, unknown>>)[long]),
      get: (result, key) => (result as Record<string, Record<string, unknown>>)[long][String(key)],
      finalize: wrap,
      identify: () => false,
    }),
  ];
}

const SCHEMA: Schema = CORE_SCHEMA.withTags(
  ...Object.entries(SHORT_FORMS).flatMap(([short, long]) => tagsFor(short, long)),
);

/** Parses template YAML (a JSON template is YAML too); throws js-yaml's error with its line and column. */
export function parseTemplateYaml(text: string): unknown {
  return load(text, { schema: SCHEMA });
}
