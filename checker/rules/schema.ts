import { isCustomResourceDefinition } from '../custom-resources';
import { findingAt } from '../findings';
import { schemaProblems } from '../schema';
import type { RuleDefinition } from './rule';

export const schemaRule: RuleDefinition = {
  name: 'schema',
  scope: 'object',
  checks:
    'every object against the API schema of its Kubernetes release (1.27, the one cdk8s-plus-27 targets, unless `--kubernetes-version` says otherwise), strictly like `kubectl --validate=strict`: unknown fields, wrong types, 32-bit ranges, quantities, base64 Secret data, missing required fields; and what the API server adds: containers without an image, values outside the fixed sets of Service, Pod and Deployment fields (`type: ClusterIp`). Custom resources against the `openAPIV3Schema` of their CustomResourceDefinition, in the set or given with `--crd`: unknown fields (except under `x-kubernetes-preserve-unknown-fields`), types, required fields, enums. A kind no schema describes is a warning, once per kind, that it was not checked (an error with `--missing-schemas error`); a kind missing from a built-in API group is an error',
  remediation:
    "rename, retype or remove the field as the API reference of the release, or the resource's CustomResourceDefinition, describes it",
  checkObject: (doc, { schema, customResources }) => {
    const { object } = doc;
    if (!customResources.isBuiltIn(object) && !customResources.cannotBeCustom(object)) {
      if (customResources.defines(object)) {
        return customResources.check(doc);
      }
      // Its CustomResourceDefinition may come later in the set.
      customResources.defer(doc);
      return [];
    }
    const found = schemaProblems(object, schema).map((problem) =>
      findingAt(doc, 'schema', problem.path, problem.message),
    );
    if (isCustomResourceDefinition(object)) {
      found.push(...customResources.define(doc));
    }
    return found;
  },
  startSet: ({ customResources }) => ({ finish: () => customResources?.finish() ?? [] }),
};
