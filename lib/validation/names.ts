import { dns1035LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem } from '../k8s-syntax';
import { K8sObject, ManifestDocument, plainObject } from '../manifest-model';
import { childPath, Finding, findingAt } from './findings';

// Services' names become DNS labels; every other kind here takes a DNS-1123 subdomain.
const nameRule = (kind: unknown) => (kind === 'Service' ? dns1035LabelProblem : dns1123SubdomainProblem);

/** Object names: present and in the syntax the API server accepts for the kind. */
export function checkObjectNames(docs: readonly ManifestDocument[]): Finding[] {
  return docs.flatMap((doc) => {
    const name = doc.object.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      return [findingAt(doc, 'names', 'metadata.name', 'is required')];
    }
    const problem = nameRule(doc.object.kind)(name);
    return problem ? [findingAt(doc, 'names', 'metadata.name', `${JSON.stringify(name)} ${problem}`)] : [];
  });
}

/** Where an object carries labels or equality selectors, as field paths. */
function labelMaps(object: K8sObject): Array<[string, unknown]> {
  const at = (path: string): [string, unknown] => [path, path.split('.').reduce<any>((node, key) => node?.[key], object)];
  const maps = [at('metadata.labels'), at('spec.template.metadata.labels'), at('spec.selector.matchLabels')];
  if (object.kind === 'Service') {
    maps.push(at('spec.selector'));
  }
  return maps.filter(([, value]) => plainObject(value) !== undefined);
}

/** Label and selector keys and values in the syntax Kubernetes accepts. */
export function checkLabelSyntax(docs: readonly ManifestDocument[]): Finding[] {
  return docs.flatMap((doc) => labelMaps(doc.object).flatMap(([path, labels]) =>
    Object.entries(labels as Record<string, unknown>).flatMap(([key, value]) => {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) {
        return [findingAt(doc, 'labels', childPath(path, key), `label key ${JSON.stringify(key)}: ${keyProblem}`)];
      }
      const valueProblem = labelValueProblem(value);
      return valueProblem
        ? [findingAt(doc, 'labels', childPath(path, key), `label value ${JSON.stringify(value)} ${valueProblem}`)]
        : [];
    })));
}

/** No two objects of one kind share a name (in one namespace). */
export function checkDuplicates(docs: readonly ManifestDocument[]): Finding[] {
  const firstSeen = new Map<string, ManifestDocument>();
  return docs.flatMap((doc) => {
    const { kind, metadata } = doc.object;
    if (typeof metadata?.name !== 'string') {
      return [];
    }
    const key = `${kind}|${metadata.namespace ?? ''}|${metadata.name}`;
    const first = firstSeen.get(key);
    if (!first) {
      firstSeen.set(key, doc);
      return [];
    }
    return [findingAt(doc, 'duplicate', 'metadata.name',
      `${kind}/${metadata.name} is already defined in ${first.file} (document ${first.index + 1}); kubectl apply would keep only one`)];
  });
}
