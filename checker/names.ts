import { childPath, type Finding, findingAt } from './findings';
import { type ManifestDocument, plainObject, valueAt } from './manifest-model';
import {
  dns1035LabelProblem,
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  labelKeyProblem,
  labelValueProblem,
  pathSegmentNameProblem,
} from './syntax';

// The Kubernetes 1.27 API server's name rule per kind: the nameFn each kind's validation passes to
// ValidateObjectMeta (pkg/apis/*/validation). Kinds not listed take a DNS-1123 subdomain, the rule
// of nearly every built-in kind.
const CRON_JOB_MAX_NAME = 52;
const NAME_RULES: Readonly<Record<string, (name: string) => string | undefined>> = {
  // ValidateServiceName: NameIsDNS1035Label.
  Service: dns1035LabelProblem,
  // ValidateNamespaceName and ValidateStatefulSetName: NameIsDNSLabel.
  Namespace: dns1123LabelProblem,
  StatefulSet: dns1123LabelProblem,
  // ValidateRBACName: path.IsValidPathSegmentName.
  Role: pathSegmentNameProblem,
  ClusterRole: pathSegmentNameProblem,
  RoleBinding: pathSegmentNameProblem,
  ClusterRoleBinding: pathSegmentNameProblem,
  // ValidateCronJobCreate: a subdomain of at most 52 characters, room for the Jobs' suffix.
  CronJob: (name) =>
    name.length > CRON_JOB_MAX_NAME
      ? `must be no more than ${CRON_JOB_MAX_NAME} characters`
      : dns1123SubdomainProblem(name),
};

/** The kinds whose name rule is stated above; the rest take a DNS-1123 subdomain. */
export const KINDS_WITH_OWN_NAME_RULE: readonly string[] = Object.keys(NAME_RULES);

/** The API server's name rule for objects of this kind: a problem, or undefined. */
export const nameProblem = (kind: unknown, name: string): string | undefined =>
  (NAME_RULES[kind as string] ?? dns1123SubdomainProblem)(name);

/** The object's name: present, a string, and in the syntax the API server accepts for its kind. */
export function checkObjectName(doc: ManifestDocument): Finding[] {
  const name = valueAt(doc.object, 'metadata.name');
  if (name === undefined || name === null || name === '') {
    return [findingAt(doc, 'names', 'metadata.name', 'is required')];
  }
  if (typeof name !== 'string') {
    return [findingAt(doc, 'names', 'metadata.name', `must be a string, got ${JSON.stringify(name)}`)];
  }
  const problem = nameProblem(doc.object.kind, name);
  return problem ? [findingAt(doc, 'names', 'metadata.name', `${JSON.stringify(name)} ${problem}`)] : [];
}

// Kinds whose `spec.selector` is a plain label map rather than a LabelSelector.
const MAP_SELECTOR_KINDS = new Set(['Service', 'ReplicationController']);
const LABEL_MAPS = ['metadata.labels', 'spec.template.metadata.labels'];
const LABEL_SELECTOR_MAPS = [...LABEL_MAPS, 'spec.selector.matchLabels'];
const MAP_SELECTOR_MAPS = [...LABEL_MAPS, 'spec.selector'];

/**
 * Label and selector keys and values of the object, in the syntax Kubernetes accepts
 * (apimachinery ValidateLabels, ValidateLabelSelector): labels, a Service's or a
 * ReplicationController's selector map, a LabelSelector's matchLabels and matchExpressions.
 * Loops rather than chained array methods: it runs on every object of a set, most with no finding.
 */
export function checkLabelSyntax(doc: ManifestDocument): Finding[] {
  const findings: Finding[] = [];
  const mapSelector = MAP_SELECTOR_KINDS.has(doc.object.kind as string);
  for (const path of mapSelector ? MAP_SELECTOR_MAPS : LABEL_SELECTOR_MAPS) {
    const labels = plainObject(valueAt(doc.object, path));
    if (labels === undefined) {
      continue;
    }
    for (const key in labels) {
      const problem = labelPairProblem(key, labels[key]);
      if (problem) {
        findings.push(findingAt(doc, 'labels', childPath(path, key), problem));
      }
    }
  }
  if (!mapSelector) {
    checkMatchExpressions(doc, findings);
  }
  return findings;
}

/** What is wrong with one label (or selector pair), if anything. */
function labelPairProblem(key: string, value: unknown): string | undefined {
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) {
    return `label key ${JSON.stringify(key)}: ${keyProblem}`;
  }
  // null is the empty value, as Go decodes it into a map of strings.
  const valueProblem = labelValueProblem(value ?? '');
  return valueProblem ? `label value ${JSON.stringify(value)} ${valueProblem}` : undefined;
}

/** A LabelSelector's matchExpressions (ValidateLabelSelectorRequirement): key syntax, and values as the operator wants them. */
function checkMatchExpressions(doc: ManifestDocument, findings: Finding[]): void {
  const path = 'spec.selector.matchExpressions';
  const expressions = valueAt(doc.object, path);
  if (!Array.isArray(expressions)) {
    return;
  }
  expressions.forEach((item, index) => {
    const expression = plainObject(item);
    if (expression === undefined) {
      return;
    }
    const at = `${path}[${index}]`;
    const { key, operator, values } = expression;
    if (typeof key === 'string') {
      const problem = labelKeyProblem(key);
      if (problem) {
        findings.push(findingAt(doc, 'labels', `${at}.key`, `label key ${JSON.stringify(key)}: ${problem}`));
      }
    }
    const count = Array.isArray(values) ? values.length : 0;
    if ((operator === 'In' || operator === 'NotIn') && count === 0) {
      findings.push(findingAt(doc, 'labels', `${at}.values`, `must be specified when \`operator\` is 'In' or 'NotIn'`));
    } else if ((operator === 'Exists' || operator === 'DoesNotExist') && count > 0) {
      findings.push(
        findingAt(
          doc,
          'labels',
          `${at}.values`,
          `may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
        ),
      );
    }
    for (const [valueIndex, value] of (Array.isArray(values) ? values : []).entries()) {
      const problem = labelValueProblem(value);
      if (problem) {
        findings.push(
          findingAt(doc, 'labels', `${at}.values[${valueIndex}]`, `label value ${JSON.stringify(value)} ${problem}`),
        );
      }
    }
  });
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

  /**
   * @param acrossFiles the severity of a duplicate in another file: an error where one program
   *   wrote every file (two constructs wrote one object), a warning in a folder of hand-written
   *   alternatives applied one at a time. Within one file a duplicate is always an error.
   */
  constructor(private readonly acrossFiles: Finding['severity'] = 'error') {}

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
    const place = `${this.files[first]} (document ${this.indexes[first] + 1})`;
    const severity = this.files[first] === object.file ? 'error' : this.acrossFiles;
    return [
      findingAt(
        { file: object.file, object: `${kind ?? '<no kind>'}/${name}` },
        'duplicate',
        'metadata.name',
        severity === 'error'
          ? `${kind}/${name} is already defined in ${place}; kubectl apply would keep only one`
          : `${kind}/${name} is also defined in ${place}: \`kubectl apply -f\` on the folder would keep only the last, so apply such alternatives one at a time`,
        severity,
      ),
    ];
  }
}
