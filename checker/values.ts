import { type Finding, findingAt } from './findings';
import { containersOf, type ManifestDocument, valueAt } from './manifest-model';
import { API_REPLICAS_RANGE, imageReferenceProblem, replicasProblem, type WholeNumberRange } from './syntax';

const REPLICATED_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

/**
 * The value checks construct props get, applied to any manifest: replica
 * counts within the allowed range and image references in docker's grammar.
 * Types are the schema's business; only well-typed values are looked at here.
 */
export function checkValues(doc: ManifestDocument, replicas: WholeNumberRange = API_REPLICAS_RANGE): Finding[] {
  const { object } = doc;
  const findings: Finding[] = [];
  const count = valueAt(object, 'spec.replicas');
  if (REPLICATED_KINDS.has(object.kind as string) && typeof count === 'number') {
    const problem = replicasProblem(count, replicas);
    if (problem) {
      findings.push(findingAt(doc, 'values', 'spec.replicas', `${problem}, got ${count}`));
    }
  }
  for (const { path, container } of containersOf(object)) {
    const { image } = container;
    const problem = typeof image === 'string' ? imageReferenceProblem(image) : undefined;
    if (problem) {
      findings.push(findingAt(doc, 'values', `${path}.image`, `${problem}, got ${JSON.stringify(image)}`));
    }
  }
  return findings;
}
