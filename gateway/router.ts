import type { ApiDefinition, Method, Resource } from '../openapi/model';

export interface RouteMatch {
  resource: Resource;
  /** The Method object (may be the ANY method). */
  method: Method;
  /**
   * Path parameters by name, values exactly as in the URL: NOT percent-decoded (AWS keeps
   * `test%2Ftest.txt`). For {proxy+} the name is 'proxy' and the value may contain '/'.
   */
  pathParameters: Record<string, string>;
}

export interface Router {
  /** The resource and method serving `method restPath` (the raw path after the stage), if any. */
  match(method: string, restPath: string): RouteMatch | undefined;
}

/** The verbs ANY stands for: any other request method (FOO, even ANY itself) routes nowhere. */
const ANY_VERBS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

/** A resource with its methods by request verb, ANY already expanded under the explicit ones. */
interface Target {
  resource: Resource;
  methods: Map<string, Method>;
}

/** A trie node: one per distinct resource path prefix. */
interface Node {
  literals: Map<string, Node>;
  /** `{name}` children; AWS allows one per parent, but nothing breaks with more (document order). */
  params: { name: string; node: Node }[];
  /** `{name+}` children: always leaves, since nothing can live under a greedy variable. */
  greedy: { name: string; target: Target }[];
  /** Resources whose path ends here (several only if the document spells one path twice). */
  targets: Target[];
  /** Every verb some resource at or below this node serves: prunes hopeless branches. */
  verbs: Set<string>;
}

/** Builds the router of an API once, at load time. */
export function compileRouter(api: ApiDefinition): Router {
  const root = newNode();
  for (const resource of api.resources) insert(root, resource);
  return { match: (method, restPath) => search(root, segments(restPath), 0, method, [], []) };
}

function newNode(): Node {
  return { literals: new Map(), params: [], greedy: [], targets: [], verbs: new Set() };
}

function insert(root: Node, resource: Resource): void {
  const target = compileTarget(resource);
  const parts = segments(resource.path);
  let node = root;
  for (let i = 0; i < parts.length; i++) {
    for (const verb of target.methods.keys()) node.verbs.add(verb);
    const part = parts[i];
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      if (i !== parts.length - 1) {
        throw new Error(`resource ${resource.path}: a greedy path variable must be the last segment`);
      }
      node.greedy.push({ name: greedy[1], target });
      return;
    }
    const param = /^\{(.+)\}$/.exec(part);
    if (param) {
      let child = node.params.find((p) => p.name === param[1]);
      if (!child) node.params.push((child = { name: param[1], node: newNode() }));
      node = child.node;
    } else {
      let child = node.literals.get(part);
      if (!child) node.literals.set(part, (child = newNode()));
      node = child;
    }
  }
  for (const verb of target.methods.keys()) node.verbs.add(verb);
  node.targets.push(target);
}

function compileTarget(resource: Resource): Target {
  const methods = new Map<string, Method>();
  for (const verb of ANY_VERBS) {
    const method = resource.methods[verb] ?? resource.methods.ANY;
    if (method) methods.set(verb, method);
  }
  return { resource, methods };
}

/**
 * The segments routing sees: leading slashes collapsed and trailing ones ignored, as AWS does;
 * inner empty segments stay so that a greedy value keeps its `//`.
 */
function segments(path: string): string[] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  return start === end ? [] : path.slice(start, end).split('/');
}

/**
 * Depth-first in priority order (literal, then `{param}`, then `{param+}` at each segment) with
 * backtracking, so a resource lacking the verb falls through to the next most specific one.
 */
function search(
  node: Node,
  parts: string[],
  i: number,
  verb: string,
  names: string[],
  values: string[],
): RouteMatch | undefined {
  if (!node.verbs.has(verb)) return undefined;
  if (i === parts.length) {
    for (const target of node.targets) {
      const method = target.methods.get(verb);
      if (method) return found(target.resource, method, names, values);
    }
    return undefined;
  }
  const part = parts[i];
  const literal = node.literals.get(part);
  if (literal) {
    const match = search(literal, parts, i + 1, verb, names, values);
    if (match) return match;
  }
  // A `{param}` is one non-empty segment; `%2F` is not a separator, so it stays in the value.
  if (part !== '') {
    for (const param of node.params) {
      names.push(param.name);
      values.push(part);
      const match = search(param.node, parts, i + 1, verb, names, values);
      names.pop();
      values.pop();
      if (match) return match;
    }
  }
  for (const greedy of node.greedy) {
    const method = greedy.target.methods.get(verb);
    if (method) {
      return found(
        greedy.target.resource,
        method,
        [...names, greedy.name],
        [...values, parts.slice(i).join('/')],
      );
    }
  }
  return undefined;
}

function found(resource: Resource, method: Method, names: string[], values: string[]): RouteMatch {
  const pathParameters: Record<string, string> = {};
  for (let k = 0; k < names.length; k++) pathParameters[names[k]] = values[k];
  return { resource, method, pathParameters };
}
