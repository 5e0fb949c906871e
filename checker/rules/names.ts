import { checkObjectName } from '../names';
import type { RuleDefinition } from './rule';

export const namesRule: RuleDefinition = {
  name: 'names',
  scope: 'object',
  checks:
    'object names present, strings, and valid as the API server checks them for their kind: a DNS-1035 label for Services, a DNS-1123 label for Namespaces and StatefulSets, a path segment (no `/`, `%`, `.` or `..`) for Roles, ClusterRoles and their bindings, a DNS-1123 subdomain of at most 52 characters for CronJobs, a DNS-1123 subdomain for every other kind',
  remediation: 'rename the object: lower-case letters, digits and "-" fit every kind',
  checkObject: (doc) => checkObjectName(doc),
};
