import { checkValues } from '../values';
import type { RuleDefinition } from './rule';

export const valuesRule: RuleDefinition = {
  name: 'values',
  scope: 'object',
  checks:
    "the checks construct props get: container images valid image references; and, in the project's own folder only, `replicas` within its range (the workshop allows 0 to 20; any other folder gets the API server's 0 to 2^31-1)",
  remediation: 'use an image reference such as registry/repository:tag, and a replica count within the range given',
  // Types are the schema rule's business: values are read only where it found nothing.
  checkObject: (doc, { wellTyped, replicas }) => (wellTyped ? checkValues(doc, replicas) : []),
};
