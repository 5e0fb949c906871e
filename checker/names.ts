import { childPath, type Finding, findingAt } from './findings';
import { type ManifestDocument, plainObject, valueAt } from './manifest-model';
import { dns1035LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem } from './syntax';

// Services' names become DNS labels; every other kind here takes a DNS-1123 subdomain.
const nameRule = (kind: unknown) => (kind === 'Service' ? dns1035LabelProblem : dns1123SubdomainProblem);

/** The object's name: present and in the syntax the API server accepts for its kind. */
export function checkObjectName(doc: ManifestDocument): Finding[] {
  const name = valueAt(doc.object, 'metadata.name');
  if (typeof name !== 'string' || name === '') {
    return [findingAt(doc, 'names', 'metadata.name', 'is required')];
  }
  const problem = nameRule(doc.object.kind)(name);
  return problem ? [findingAt(doc, 'names', 'metadata.name', `${JSON.stringify(name)} ${problem}`)] : [];
}

const LABEL_MAP_PATHS = ['metadata.labels', 'spec.template.metadata.labels', 'spec.selector.matchLabels'];
// A Service's selector is a label map of its own.
const SERVICE_LABEL_MAP_PATHS = [...LABEL_MAP_PATHS, 'spec.selector'];

/**
 * Label and selector keys and values of the object, in the syntax Kubernetes accepts.
 * Loops rather than chained array methods: it runs on every object of a set, most with no finding.
 */
export function checkLabelSyntax(doc: ManifestDocument): Finding[] {
  const findings: Finding[] = [];
  for (const path of doc.object.kind === 'Service' ? SERVICE_LABEL_MAP_PATHS : LABEL_MAP_PATHS) {
    const labels = plainObject(valueAt(doc.object, path));
    if (labels === undefined) {
      continue;
    }
    for (const key in labels) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) {
        findings.push(
          findingAt(doc, 'labels', childPath(path, key), `label key ${JSON.stringify(key)}: ${keyProblem}`),
        );
        continue;
      }
      const value = labels[key];
      const valueProblem = labelValueProblem(value);
      if (valueProblem) {
        findings.push(
          findingAt(doc, 'labels', childPath(path, key), `label value ${JSON.stringify(value)} ${valueProblem}`),
        );
      }
    }
  }
  return findings;
}

/** What the duplicate rule reads of an object. */
export interface ObjectIdentity {
  readonly file: string;
  readonly index: number;
  readonly kind: unknown;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
}

/**
 * No two objects of one kind share a name (in one namespace). Keeps one short
 * key per object, which is all the duplicate rule needs from a stream.
 */
export class DuplicateNames {
  // A dictionary: its property names are copies in V8's string table, so no key holds on to the
  // text its name was cut from (a Map measured no faster here, and no leaner). Its values are
  // numbers, places in the two arrays below: no object is kept per object.
  private readonly firstSeen: Record<string, number> = Object.create(null);
  private readonly files: string[] = [];
  private readonly indexes: number[] = [];

  /** The finding when an object of this kind and name came before. */
  check(object: ObjectIdentity): Finding[] {
    const { kind, name } = object;
    if (name === undefined) {
      return [];
    }
    const key = `${kind}|${object.namespace ?? ''}|${name}`;
    const first = this.firstSeen[key];
    if (first === undefined) {
      this.firstSeen[key] = this.files.length;
      this.files.push(object.file);
      this.indexes.push(object.index);
      return [];
    }
    return [
      findingAt(
        { file: object.file, object: `${kind ?? '<no kind>'}/${name}` },
        'duplicate',
        'metadata.name',
        `${kind}/${name} is already defined in ${this.files[first]} (document ${this.indexes[first] + 1}); kubectl apply would keep only one`,
      ),
    ];
  }
}
