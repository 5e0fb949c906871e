import { checkValues } from '../values';
import type { RuleDefinition } from './rule';

export const valuesRule: RuleDefinition = {
  name: 'values',
  scope: 'object',
  checks:
    "the checks construct props get: container images valid image references; and, in the project's own folder only, `replicas` within its range (the workshop allows 0 to 20; any other folder gets the API server's 0 to 2^31-1)",
  remediation: 'use an image reference such as registry/repository:tag, and a replica count within the range given',
  // Types are the schema rule's business: a value is judged here unless the schema rule found
  // something wrong at it or above it; a wrong field elsewhere in the object hides nothing.
  checkObject: (doc, { schemaProblemPaths, replicas }) =>
    checkValues(doc, replicas).filter((finding) => !schemaProblemPaths.some((path) => isAtOrUnder(finding.path, path))),
};

/** Whether a field path is the other or lies under it: `a.b[0].c` is under `a.b` and `a.b[0]`. */
export function isAtOrUnder(path: string, ancestor: string): boolean {
  return (
    path === ancestor ||
    ancestor === '' ||
    (path.startsWith(ancestor) && (path[ancestor.length] === '.' || path[ancestor.length] === '['))
  );
}
