/**
 * Resource path templates as API Gateway accepts them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */

export interface PathVariable {
  name: string;
  greedy: boolean;
}

const LITERAL = /^[A-Za-z0-9_\-.,:]+$/;
const VARIABLE = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/;

/** Problems with one resource path (empty when valid) and the variables it declares. */
export function checkResourcePath(path: string): { errors: string[]; variables: PathVariable[] } {
  const errors: string[] = [];
  const variables: PathVariable[] = [];
  if (!path.startsWith('/')) return { errors: [`resource path '${path}' must start with '/'`], variables };
  if (path === '/') return { errors, variables };

  const segments = path.slice(1).split('/');
  segments.forEach((segment, i) => {
    if (segment === '') {
      errors.push(`resource path '${path}' has an empty segment (no '//' and no trailing '/')`);
      return;
    }
    const variable = VARIABLE.exec(segment);
    if (variable) {
      const [, name, plus] = variable;
      if (variables.some((v) => v.name === name)) {
        errors.push(`resource path '${path}' declares the path parameter '${name}' twice`);
      }
      if (plus && i < segments.length - 1) {
        errors.push(
          `Cannot create a child of a resource with a greedy path variable: ${segment} (in '${path}')`,
        );
      }
      variables.push({ name, greedy: plus === '+' });
      return;
    }
    if (segment.includes('{') || segment.includes('}')) {
      errors.push(
        `resource path '${path}': segment '${segment}' mixes text and a parameter; a path parameter must be a whole segment, {name} or {name+}`,
      );
    } else if (!LITERAL.test(segment)) {
      errors.push(
        `resource path '${path}': segment '${segment}' may only contain letters, digits and _ - . , : (or be a {parameter})`,
      );
    }
  });
  return { errors, variables };
}
