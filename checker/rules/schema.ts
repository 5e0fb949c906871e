import { findingAt } from '../findings';
import { schemaProblems } from '../schema';
import type { RuleDefinition } from './rule';

export const schemaRule: RuleDefinition = {
  name: 'schema',
  scope: 'object',
  checks:
    'every object against the Kubernetes 1.27 API schema (the version cdk8s-plus-27 targets), strictly like `kubectl --validate=strict`: unknown fields, wrong types, 32-bit ranges, quantities, missing required fields; and what the API server adds: containers without an image, values outside the fixed sets of Service, Pod and Deployment fields (`type: ClusterIp`)',
  remediation: 'rename, retype or remove the field as the Kubernetes 1.27 API reference describes it',
  checkObject: (doc, { schema }) =>
    schemaProblems(doc.object, schema).map((problem) => findingAt(doc, 'schema', problem.path, problem.message)),
};
