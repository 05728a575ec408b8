import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from '../values';

/** A template's resource as written: its type, its properties (intrinsics not yet resolved). */
export interface TemplateResource {
  logicalId: string;
  type: string;
  properties: JsonObject;
  /** The resource's Condition, if it has one. */
  condition: string | undefined;
  metadata: JsonObject;
  dependsOn: string[];
}

/** A parsed template, its sections read. */
export interface Template {
  /** The whole document as parsed. */
  document: JsonObject;
  /** True when it declares the SAM transform (AWS::Serverless-2016-10-31). */
  serverless: boolean;
  globals: JsonObject;
  resources: Map<string, TemplateResource>;
}

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/**
 * Whether a parsed document is a CloudFormation (or SAM) template: a `Resources` mapping whose
 * entries have a `Type`, or the template's own markers (AWSTemplateFormatVersion, Transform).
 */
export function isTemplateDocument(document: unknown): document is JsonObject {
  if (!isObject(document)) return false;
  if (document.swagger !== undefined || document.openapi !== undefined) return false;
  if (document.AWSTemplateFormatVersion !== undefined || document.Transform !== undefined) return true;
  const resources = document.Resources;
  return (
    isObject(resources) &&
    Object.keys(resources).length > 0 &&
    Object.values(resources).some((r) => isObject(r) && typeof r.Type === 'string')
  );
}

/** Reads the sections of a template; the caller has checked `isTemplateDocument`. */
export function readTemplate(document: JsonObject): Template {
  const transforms = Array.isArray(document.Transform) ? document.Transform : [document.Transform];
  const resources = new Map<string, TemplateResource>();
  for (const [logicalId, written] of Object.entries(isObject(document.Resources) ? document.Resources : {})) {
    if (!isObject(written)) continue;
    const dependsOn = Array.isArray(written.DependsOn)
      ? written.DependsOn.filter((d): d is string => typeof d === 'string')
      : typeof written.DependsOn === 'string'
        ? [written.DependsOn]
        : [];
    resources.set(logicalId, {
      logicalId,
      type: typeof written.Type === 'string' ? written.Type : '',
      properties: isObject(written.Properties) ? written.Properties : {},
      condition: typeof written.Condition === 'string' ? written.Condition : undefined,
      metadata: isObject(written.Metadata) ? written.Metadata : {},
      dependsOn,
    });
  }
  return {
    document,
    serverless: transforms.includes(SAM_TRANSFORM),
    globals: isObject(document.Globals) ? document.Globals : {},
    resources,
  };
}

/**
 * A stable identifier of `length` lower-case letters and digits derived from `seed`, shaped like
 * the ids AWS gives (a REST API id is 10 of them).
 */
export function stableId(seed: string, length = 10): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(digest.subarray(0, length), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The logical ids a resource's properties refer to (Ref, Fn::GetAtt, `${…}` in Fn::Sub), plus
 * DependsOn: the edges CloudFormation orders a deployment by.
 */
export function referencedResources(
  value: unknown,
  resources: ReadonlyMap<string, unknown>,
  out = new Set<string>(),
): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedResources(item, resources, out);
    return out;
  }
  if (!isObject(value)) return out;
  for (const [key, arg] of Object.entries(value)) {
    if (key === 'Ref' && typeof arg === 'string' && resources.has(arg)) out.add(arg);
    else if (key === 'Fn::GetAtt') {
      const id = typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
      if (typeof id === 'string' && resources.has(id)) out.add(id);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? arg[0] : arg;
      const variables = Array.isArray(arg) && isObject(arg[1]) ? arg[1] : {};
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1].trim().split('.')[0];
          if (!Object.hasOwn(variables, name) && resources.has(name)) out.add(name);
        }
      }
    }
    referencedResources(arg, resources, out);
  }
  return out;
}

/**
 * The resources that depend on each other in a circle, or undefined. `edges` maps each resource to
 * those it needs. Tarjan's algorithm; a resource that needs itself is a circle too.
 */
export function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let found: string[] | undefined;
  const visit = (node: string): void => {
    indexes.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexes.get(next)!));
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && (edges.get(node)?.has(node) ?? false);
      if (!found && (component.length > 1 || selfLoop)) found = component.sort();
    }
  };
  for (const node of edges.keys()) if (!indexes.has(node)) visit(node);
  return found;
}
