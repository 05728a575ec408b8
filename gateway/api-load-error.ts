import { formatProblem, type Problem } from '../openapi/problems';

/** The OpenAPI file cannot be served; the problems say why (all of them, with pointers). */
export class ApiLoadError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ApiLoadError';
  }
}
