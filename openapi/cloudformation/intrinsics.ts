import { pointerTo } from '../problems';
import { isObject, type JsonObject } from '../values';

/**
 * CloudFormation's intrinsic functions, evaluated the way a deployment would evaluate them, but
 * locally: what only AWS knows (another stack's exports, an SSM parameter, an attribute of a resource
 * apigw does not emulate) becomes an `Unresolved` value that remembers where and why. A caller that
 * needs the value (a route's path, an integration uri) turns it into an error; anything else is
 * only listed.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

/** A value that cannot be known locally. */
export class Unresolved {
  constructor(
    /** Why, e.g. "Fn::ImportValue 'SharedVpc': exports of other stacks are not known locally". */
    readonly reason: string,
    /** JSON pointer into the template of the expression that could not be resolved. */
    readonly pointer: string,
  ) {}
}

/** `Ref: AWS::NoValue`: the property (or list item) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** What the loader knows about resources: their `Ref` and `Fn::GetAtt` values. */
export interface ResourceFacts {
  /** The resource's type, or undefined when the template declares no such resource. */
  typeOf(logicalId: string): string | undefined;
  ref(logicalId: string, pointer: string): unknown;
  getAtt(logicalId: string, attribute: string, pointer: string): unknown;
}

/** The parts of a template intrinsics read. */
export interface TemplateSections {
  Parameters?: JsonObject;
  Conditions?: JsonObject;
  Mappings?: JsonObject;
}

export interface IntrinsicsOptions {
  /** `--parameter-overrides`: values by parameter name (pseudo parameters may be overridden too). */
  overrides: Record<string, string>;
  /** Pseudo parameters (AWS::Region, AWS::AccountId, …) by name. */
  pseudo: Record<string, string | string[]>;
  /** Where the template sets a parameter's value; problems with an override go here. */
  onProblem?: (pointer: string, message: string) => void;
  /**
   * Reads the document an `AWS::Include` transform names (a local path), or says why it cannot:
   * the transform's snippet is itself resolved as part of the template.
   */
  include?: (location: string) => { document: unknown } | { problem: string };
}

const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Condition']);

/** How an intrinsic function is evaluated: its arguments as written, found at `pointer`. */
type Evaluator = (this: Intrinsics, args: unknown, pointer: string) => unknown;

/** Evaluates intrinsic functions against a template's parameters, conditions, mappings and resources. */
export class Intrinsics {
  /** Every value that could not be resolved, in the order met (a location once). */
  readonly unresolved: Unresolved[] = [];
  private readonly seen = new Set<string>();
  private readonly parameters = new Map<string, unknown>();
  private readonly conditionValues = new Map<string, boolean | Unresolved>();
  private readonly evaluating = new Set<string>();

  constructor(
    private readonly template: TemplateSections,
    private readonly facts: ResourceFacts,
    private readonly options: IntrinsicsOptions,
  ) {
    this.readParameters();
  }

  /** Resolves every intrinsic in `value` (found at `pointer`); keys or items set to AWS::NoValue are dropped. */
  resolve(value: unknown, pointer: string): unknown {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const resolved = this.resolve(item, pointerTo(pointer, i));
        if (resolved !== NO_VALUE) out.push(resolved);
      });
      return out;
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.call(keys[0], value[keys[0]], pointerTo(pointer, keys[0]));
    }
    const out: JsonObject = {};
    for (const key of keys) {
      const resolved = this.resolve(value[key], pointerTo(pointer, key));
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  /** The value of a named condition of the `Conditions` section. */
  condition(name: string, pointer: string): boolean | Unresolved {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const conditions = this.template.Conditions ?? {};
    if (!Object.hasOwn(conditions, name)) {
      return this.fail(`condition '${name}' is not declared in Conditions`, pointer);
    }
    if (this.evaluating.has(`condition:${name}`)) {
      return this.fail(`circular condition: '${name}' depends on itself`, pointer);
    }
    this.evaluating.add(`condition:${name}`);
    const value = this.conditionExpression(conditions[name], pointerTo('/Conditions', name));
    this.evaluating.delete(`condition:${name}`);
    this.conditionValues.set(name, value);
    return value;
  }

  /** The value of a parameter or pseudo parameter, or undefined when neither exists. */
  parameter(name: string, pointer: string): unknown {
    if (this.parameters.has(name)) return this.parameters.get(name);
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (Object.hasOwn(this.options.overrides, name) && name.startsWith('AWS::'))
      return this.options.overrides[name];
    if (Object.hasOwn(this.options.pseudo, name)) return this.options.pseudo[name];
    if (name.startsWith('AWS::')) return this.fail(`pseudo parameter ${name} is not known locally`, pointer);
    return undefined;
  }

  /** An Unresolved recorded for listing; returned so that callers can pass it on. */
  fail(reason: string, pointer: string): Unresolved {
    const unresolved = new Unresolved(reason, pointer);
    if (!this.seen.has(pointer)) {
      this.seen.add(pointer);
      this.unresolved.push(unresolved);
    }
    return unresolved;
  }

  private readParameters(): void {
    const declared = this.template.Parameters ?? {};
    for (const [name, written] of Object.entries(declared)) {
      const at = pointerTo('/Parameters', name);
      const spec = isObject(written) ? written : {};
      const type = typeof spec.Type === 'string' ? spec.Type : 'String';
      const given = Object.hasOwn(this.options.overrides, name) ? this.options.overrides[name] : undefined;
      let value: unknown;
      if (given !== undefined) value = given;
      else if (type.startsWith('AWS::SSM::Parameter::Value<'))
        value = new Unresolved(
          `parameter ${name} reads the SSM parameter ${JSON.stringify(spec.Default)}, which is not known locally (give it with --parameter-overrides ${name}=VALUE)`,
          at,
        );
      else if (spec.Default !== undefined) value = spec.Default;
      else
        value = new Unresolved(
          `parameter ${name} has no Default and no value (give it with --parameter-overrides ${name}=VALUE)`,
          at,
        );
      if (!(value instanceof Unresolved)) {
        const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
        const allowed = Array.isArray(spec.AllowedValues) ? spec.AllowedValues.map(String) : undefined;
        if (given !== undefined && allowed && !allowed.includes(text)) {
          this.options.onProblem?.(
            at,
            `--parameter-overrides ${name}=${text}: not one of its AllowedValues (${allowed.join(', ')})`,
          );
        }
        value = /^(CommaDelimitedList|List<.*>)$/.test(type) ? text.split(',').map((s) => s.trim()) : text;
      }
      this.parameters.set(name, value);
    }
    for (const name of Object.keys(this.options.overrides)) {
      if (!Object.hasOwn(declared, name) && !name.startsWith('AWS::')) {
        this.options.onProblem?.(
          '/Parameters',
          `--parameter-overrides ${name}: the template declares no such parameter`,
        );
      }
    }
  }

  /** The functions evaluated locally, by name; any other is reported as not evaluated. */
  private readonly functions: Record<string, Evaluator> = {
    Ref: this.ref,
    'Fn::Sub': this.sub,
    'Fn::GetAtt': this.getAtt,
    'Fn::Join': this.join,
    'Fn::If': this.fnIf,
    'Fn::Select': this.select,
    'Fn::Split': this.split,
    'Fn::FindInMap': this.findInMap,
    'Fn::Base64': this.base64,
    'Fn::GetAZs': this.getAZs,
    'Fn::ImportValue': this.importValue,
    'Fn::ToJsonString': this.toJsonString,
    'Fn::Length': this.length,
    'Fn::Transform': this.transform,
  };

  private call(fn: string, args: unknown, pointer: string): unknown {
    if (Object.hasOwn(this.functions, fn)) return this.functions[fn].call(this, args, pointer);
    // Fn::Equals, Fn::And, Fn::Or and Fn::Not met as a value evaluate to true or false.
    if (CONDITION_FUNCTIONS.has(fn))
      return this.conditionExpression({ [fn]: args }, pointer.replace(/\/[^/]*$/, ''));
    return this.fail(`${fn} is not evaluated locally`, pointer);
  }

  private base64(args: unknown, pointer: string): unknown {
    const text = this.resolve(args, pointer);
    if (text instanceof Unresolved) return text;
    if (typeof text !== 'string') return this.fail('Fn::Base64 needs a string', pointer);
    return Buffer.from(text, 'utf8').toString('base64');
  }

  /** Fn::GetAZs: three zones (a, b, c) of the region (the stack's own for ''). */
  private getAZs(args: unknown, pointer: string): unknown {
    const region = this.resolve(args, pointer);
    if (region instanceof Unresolved) return region;
    const name = typeof region === 'string' && region !== '' ? region : this.options.pseudo['AWS::Region'];
    return ['a', 'b', 'c'].map((zone) => `${String(name)}${zone}`);
  }

  private importValue(args: unknown, pointer: string): Unresolved {
    const name = this.resolve(args, pointer);
    const shown = typeof name === 'string' ? `'${name}'` : '';
    return this.fail(
      `Fn::ImportValue ${shown}: exports of other stacks are not known locally`.replace('  ', ' '),
      pointer,
    );
  }

  private toJsonString(args: unknown, pointer: string): unknown {
    const value = this.resolve(args, pointer);
    return firstUnresolved(value) ?? JSON.stringify(value);
  }

  private length(args: unknown, pointer: string): unknown {
    const value = this.resolve(args, pointer);
    if (value instanceof Unresolved) return value;
    return Array.isArray(value) ? value.length : this.fail('Fn::Length needs a list', pointer);
  }

  /** `Fn::Transform` with `Name: AWS::Include`: the named file's content, its intrinsics resolved. */
  private transform(args: unknown, pointer: string): unknown {
    if (!isObject(args) || args.Name !== 'AWS::Include')
      return this.fail('Fn::Transform: only AWS::Include is evaluated locally', pointer);
    const parameters = this.resolve(args.Parameters, pointerTo(pointer, 'Parameters'));
    const location = isObject(parameters) ? parameters.Location : undefined;
    if (location instanceof Unresolved) return location;
    if (typeof location !== 'string') return this.fail('AWS::Include needs Parameters.Location', pointer);
    const included = this.options.include?.(location) ?? { problem: 'no file reader' };
    if ('problem' in included) return this.fail(`AWS::Include ${location}: ${included.problem}`, pointer);
    return this.resolve(included.document, pointer);
  }

  private ref(args: unknown, pointer: string): unknown {
    const name = this.resolve(args, pointer);
    if (name instanceof Unresolved) return name;
    if (typeof name !== 'string') return this.fail('Ref needs the name of a parameter or resource', pointer);
    const parameter = this.parameter(name, pointer);
    if (parameter instanceof Unresolved) return this.fail(parameter.reason, pointer);
    if (parameter !== undefined) return parameter;
    if (this.facts.typeOf(name) !== undefined)
      return this.guarded(`ref:${name}`, pointer, () => this.facts.ref(name, pointer));
    return this.fail(`Ref to '${name}': the template declares no such parameter or resource`, pointer);
  }

  private getAtt(args: unknown, pointer: string): unknown {
    const resolved = this.resolve(typeof args === 'string' ? splitAttribute(args) : args, pointer);
    if (resolved instanceof Unresolved) return resolved;
    if (!Array.isArray(resolved) || resolved.length !== 2 || !resolved.every((s) => typeof s === 'string')) {
      return this.fail('Fn::GetAtt needs [LogicalId, Attribute]', pointer);
    }
    const [logicalId, attribute] = resolved as [string, string];
    if (this.facts.typeOf(logicalId) === undefined)
      return this.fail(
        `Fn::GetAtt ${logicalId}.${attribute}: the template declares no resource ${logicalId}`,
        pointer,
      );
    return this.guarded(`getatt:${logicalId}`, pointer, () =>
      this.facts.getAtt(logicalId, attribute, pointer),
    );
  }

  /** Runs `evaluate` unless the same resource is already being evaluated (a value that needs itself). */
  private guarded(key: string, pointer: string, evaluate: () => unknown): unknown {
    if (this.evaluating.has(key)) {
      return this.fail(`circular reference: ${key.slice(key.indexOf(':') + 1)} needs its own value`, pointer);
    }
    this.evaluating.add(key);
    try {
      const value = evaluate();
      if (value instanceof Unresolved && value.pointer !== pointer) return this.fail(value.reason, pointer);
      return value;
    } finally {
      this.evaluating.delete(key);
    }
  }

  private sub(args: unknown, pointer: string): unknown {
    let text: unknown = args;
    let variables: JsonObject = {};
    if (Array.isArray(args)) {
      if (args.length !== 2 || !isObject(args[1]))
        return this.fail('Fn::Sub needs a string, or [string, {variables}]', pointer);
      [text, variables] = [args[0], args[1]];
    }
    if (typeof text !== 'string') return this.fail('Fn::Sub needs a string', pointer);
    let missing: Unresolved | undefined;
    const out = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return '${' + inner.slice(1) + '}';
      const name = inner.trim();
      let value: unknown;
      if (Object.hasOwn(variables, name)) {
        value = this.resolve(variables[name], pointerTo(pointer, 1, name));
      } else {
        const parameter = this.parameter(name, pointer);
        if (parameter !== undefined)
          value = parameter instanceof Unresolved ? this.fail(parameter.reason, pointer) : parameter;
        else if (name.includes('.')) value = this.getAtt(name, pointer);
        else value = this.ref(name, pointer);
      }
      if (value instanceof Unresolved) {
        missing ??= value;
        return whole;
      }
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return String(value);
      missing ??= this.fail(`Fn::Sub: \${${name}} is not a string`, pointer);
      return whole;
    });
    return missing ?? out;
  }

  private join(args: unknown, pointer: string): unknown {
    const usage = 'Fn::Join needs [delimiter, [values]]';
    const pair = this.resolvePair(args, pointer);
    if (!pair) return this.fail(usage, pointer);
    const missing = firstUnresolved(pair);
    if (missing) return missing;
    const [delimiter, items] = pair;
    if (typeof delimiter !== 'string' || !Array.isArray(items)) return this.fail(usage, pointer);
    if (!items.every((item) => ['string', 'number', 'boolean'].includes(typeof item)))
      return this.fail('Fn::Join: every value must be a string', pointer);
    return items.map(String).join(delimiter);
  }

  /** The two items of `[first, second]`, each resolved; undefined when `args` is not a list of two. */
  private resolvePair(args: unknown, pointer: string): [unknown, unknown] | undefined {
    if (!Array.isArray(args) || args.length !== 2) return undefined;
    return [this.resolve(args[0], pointerTo(pointer, 0)), this.resolve(args[1], pointerTo(pointer, 1))];
  }

  private fnIf(args: unknown, pointer: string): unknown {
    if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string')
      return this.fail('Fn::If needs [ConditionName, value if true, value if false]', pointer);
    const holds = this.condition(args[0], pointerTo(pointer, 0));
    if (holds instanceof Unresolved) return this.fail(holds.reason, pointer);
    return holds
      ? this.resolve(args[1], pointerTo(pointer, 1))
      : this.resolve(args[2], pointerTo(pointer, 2));
  }

  private select(args: unknown, pointer: string): unknown {
    const pair = this.resolvePair(args, pointer);
    if (!pair) return this.fail('Fn::Select needs [index, [values]]', pointer);
    const [index, list] = pair;
    if (index instanceof Unresolved) return index;
    if (list instanceof Unresolved) return list;
    const i = Number(index);
    if (!Array.isArray(list) || !Number.isInteger(i) || i < 0 || i >= list.length)
      return this.fail(`Fn::Select: index ${String(index)} is outside the list`, pointer);
    return list[i];
  }

  private split(args: unknown, pointer: string): unknown {
    const usage = 'Fn::Split needs [delimiter, string]';
    const pair = this.resolvePair(args, pointer);
    if (!pair) return this.fail(usage, pointer);
    const [delimiter, text] = pair;
    const missing = firstUnresolved(delimiter) ?? firstUnresolved(text);
    if (missing) return missing;
    if (typeof delimiter !== 'string' || typeof text !== 'string') return this.fail(usage, pointer);
    return text.split(delimiter);
  }

  private findInMap(args: unknown, pointer: string): unknown {
    const resolved = this.resolve(args, pointer);
    const missing = firstUnresolved(resolved);
    if (missing) return missing;
    if (!Array.isArray(resolved) || resolved.length < 3)
      return this.fail('Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey]', pointer);
    const [map, top, second] = resolved.map(String);
    const mappings = this.template.Mappings ?? {};
    const level1 = mappings[map];
    const level2 = isObject(level1) ? level1[top] : undefined;
    const value = isObject(level2) ? level2[second] : undefined;
    if (value === undefined)
      return this.fail(`Fn::FindInMap: Mappings has no ${map}.${top}.${second}`, pointer);
    return value;
  }

  /** A condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition) as a boolean. */
  private conditionExpression(expression: unknown, pointer: string): boolean | Unresolved {
    if (typeof expression === 'boolean') return expression;
    if (!isObject(expression) || Object.keys(expression).length !== 1) {
      return this.fail('a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition', pointer);
    }
    const [fn] = Object.keys(expression);
    const args = expression[fn];
    const at = pointerTo(pointer, fn);
    if (!CONDITION_FUNCTIONS.has(fn)) {
      return this.fail(
        `${fn} is not a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition)`,
        at,
      );
    }
    if (fn === 'Condition') {
      return typeof args === 'string' ? this.condition(args, at) : this.fail('Condition needs a name', at);
    }
    if (fn === 'Fn::Equals') {
      const pair = this.resolvePair(args, at);
      if (!pair) return this.fail('Fn::Equals needs two values', at);
      const missing = firstUnresolved(pair);
      if (missing) return missing;
      return JSON.stringify(comparable(pair[0])) === JSON.stringify(comparable(pair[1]));
    }
    if (!Array.isArray(args) || args.length === 0) return this.fail(`${fn} needs a list of conditions`, at);
    const values = args.map((c, i) => this.conditionExpression(c, pointerTo(at, i)));
    const missing = values.find((v): v is Unresolved => v instanceof Unresolved);
    if (missing) return missing;
    if (fn === 'Fn::Not') return !values[0];
    return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
  }
}

/** CloudFormation compares values as strings: `!Equals [!Ref Count, 1]` holds when Count is "1". */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function splitAttribute(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

/** The first Unresolved inside a resolved value, if any. */
export function firstUnresolved(value: unknown): Unresolved | undefined {
  if (value instanceof Unresolved) return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstUnresolved(item);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const item of Object.values(value)) {
      const found = firstUnresolved(item);
      if (found) return found;
    }
  }
  return undefined;
}
