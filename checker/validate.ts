import { type Finding, findingAt, formatFinding, plural } from './findings';
import type { CrossObjectView, Lesson } from './lesson';
import {
  arrayOf,
  type JsonObject,
  type ManifestDocument,
  type PodTemplate,
  plainObject,
  podTemplateOf,
  stringAt,
} from './manifest-model';
import type { RuleName } from './rule-names';
import { RULE_REGISTRY } from './rules';
import type { KeptObject, ObjectContext, SetCheck } from './rules/rule';
import { schemaRule } from './rules/schema';
import { type CompiledSchema, kubernetesSchema } from './schema';
import type { WholeNumberRange } from './syntax';
import { describeServiceWiring, type ServiceWiring, serviceWiringOf } from './wiring';

export type { Lesson } from './lesson';

/** What a caller tells the checker about its manifests. */
export interface CheckOptions {
  /**
   * Lesson whose kubectl commands must name objects, labels and ports of the set.
   * @default - no lesson is checked
   */
  readonly lesson?: Lesson;
  /**
   * Replica counts that workloads may ask for.
   * @default - what the API server accepts: 0 to 2^31-1
   */
  readonly replicas?: WholeNumberRange;
  /**
   * Severity of an object defined again in another file. An error where one program wrote every
   * file (the app's own dist/: two constructs wrote one object); a warning for a folder of
   * hand-written alternatives, applied one at a time. Within one file it is always an error.
   * @default 'error'
   */
  readonly duplicatesAcrossFiles?: Finding['severity'];
  /**
   * The API schema to check objects against.
   * @default - the Kubernetes 1.27 API (see openapi-artifact.ts)
   */
  readonly schema?: CompiledSchema;
}

/** What a check of a whole set gives: every finding, and a line per Service on what it selects. */
export interface CheckResult {
  /** In the order of the rule registry (rules/index.ts), whatever order the objects came in. */
  readonly findings: Finding[];
  readonly wiring: string[];
  /** Number of objects checked, List items counted one by one. */
  readonly objects: number;
}

/**
 * What checking one object alone gives: its findings, and the little the
 * cross-object rules keep of it once the object itself is dropped.
 */
export interface ObjectReport {
  readonly findings: readonly Finding[];
  /** Absent for a report of findings only (an item of a List that is no object). */
  readonly object?: KeptObject & { readonly template?: PodTemplate; readonly service?: ServiceWiring };
}

/**
 * A copy of what the cross-object rules keep, sharing no string with the parsed text: V8 cuts
 * parsed strings out of the text they came from, and one kept label would keep that text, a
 * megabyte of input, alive. Only workloads and Services are kept, a small share of most sets.
 */
function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// `kind: List` and typed lists such as `DeploymentList`: kubectl applies their items.
const isList = (object: JsonObject) =>
  typeof object.kind === 'string' && /List$/.test(object.kind) && Array.isArray(object.items);

const OBJECT_RULES = RULE_REGISTRY.filter((rule) => rule.checkObject !== undefined && rule !== schemaRule);

/** Checks one object (each item, for a List) against every rule's part that needs only it, in registry order. */
export function checkObjectAlone(
  doc: ManifestDocument,
  schema: CompiledSchema,
  replicas?: WholeNumberRange,
): ObjectReport[] {
  if (isList(doc.object)) {
    return arrayOf(doc.object.items).flatMap((item, index): ObjectReport[] => {
      const object = plainObject(item);
      return object
        ? checkObjectAlone({ ...doc, object }, schema, replicas)
        : [
            {
              findings: [
                findingAt(
                  doc,
                  'yaml',
                  `items[${index}]`,
                  'is not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
                ),
              ],
            },
          ];
    });
  }
  const findings: Finding[] = [...(schemaRule.checkObject?.(doc, { schema, wellTyped: false }) ?? [])];
  const context: ObjectContext = { schema, wellTyped: findings.length === 0, ...(replicas ? { replicas } : {}) };
  for (const rule of OBJECT_RULES) {
    findings.push(...(rule.checkObject?.(doc, context) ?? []));
  }
  const template = podTemplateOf(doc.object);
  const object: NonNullable<ObjectReport['object']> = {
    file: doc.file,
    index: doc.index,
    kind: doc.object.kind,
    name: stringAt(doc.object, 'metadata.name'),
    namespace: stringAt(doc.object, 'metadata.namespace'),
    ...(template ? { template } : {}),
    ...(doc.object.kind === 'Service' ? { service: serviceWiringOf(doc) } : {}),
  };
  return [{ findings, object: template || object.service ? detached(object) : object }];
}

/**
 * Checks manifests one object at a time, keeping only what the cross-object
 * rules need (Pod templates, Services, Deployments' names, one key per object
 * for duplicates), so that memory does not grow with the objects' size.
 */
export class ManifestChecker {
  private readonly found = new Map<RuleName, Finding[]>(RULE_REGISTRY.map((rule) => [rule.name, []]));
  private readonly sets: ReadonlyArray<SetCheck>;
  private readonly templates: PodTemplate[] = [];
  private readonly services: ServiceWiring[] = [];
  private readonly deployments: Array<{ name: string | undefined; template: PodTemplate }> = [];
  private readonly files = new Set<string>();
  /** The schema objects are checked against. */
  readonly schema: CompiledSchema;
  private count = 0;

  constructor(private readonly options: CheckOptions = {}) {
    this.schema = options.schema ?? kubernetesSchema();
    this.sets = RULE_REGISTRY.flatMap((rule) => (rule.startSet ? [rule.startSet(options)] : []));
  }

  private record(findings: readonly Finding[]): void {
    for (const finding of findings) {
      this.found.get(finding.rule)!.push(finding);
    }
  }

  /** Records a finding about input that could not be read as objects. */
  addReadFinding(finding: Finding): void {
    this.record([finding]);
  }

  /** Checks one object (each item, for a List). */
  check(doc: ManifestDocument): void {
    for (const report of checkObjectAlone(doc, this.schema, this.options.replicas)) {
      this.add(report);
    }
  }

  /** Takes in the report of an object checked alone; reports must come in input order. */
  add(report: ObjectReport): void {
    this.record(report.findings);
    const { object } = report;
    if (!object) {
      return;
    }
    this.count++;
    this.files.add(object.file);
    for (const set of this.sets) {
      this.record(set.add?.(object) ?? []);
    }
    if (object.template) {
      this.templates.push(object.template);
      if (object.kind === 'Deployment') {
        this.deployments.push({ name: object.name, template: object.template });
      }
    }
    if (object.service) {
      this.services.push(object.service);
    }
  }

  /** The findings of the set rules added to those found so far, in registry order. */
  finish(): CheckResult {
    const view: CrossObjectView = {
      templates: this.templates,
      services: this.services,
      deployments: this.deployments,
      files: this.files,
    };
    for (const set of this.sets) {
      this.record(set.finish?.(view) ?? []);
    }
    return {
      findings: RULE_REGISTRY.flatMap((rule) => this.found.get(rule.name)!),
      wiring: this.services
        .map((service) => describeServiceWiring(service, this.templates))
        .filter((line): line is string => line !== undefined),
      objects: this.count,
    };
  }
}

/** Every rule over a set of manifests held in memory: schema, names, labels, values, duplicates, wiring and the lesson. */
export function validateManifests(docs: readonly ManifestDocument[], options: CheckOptions = {}): Finding[] {
  const checker = new ManifestChecker(options);
  for (const doc of docs) {
    checker.check(doc);
  }
  return checker.finish().findings;
}

/** Manifests that must not be published: carries every finding, errors first. */
export class ManifestValidationError extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    const errors = findings.filter((f) => f.severity === 'error');
    super(
      `${plural(errors.length, 'problem')} in the manifests:\n` +
        findings.map((f) => `  ${formatFinding(f)}`).join('\n'),
    );
    this.name = 'ManifestValidationError';
  }
}

/** Throws ManifestValidationError when any finding is an error; returns the warnings otherwise. */
export function assertValid(findings: readonly Finding[]): Finding[] {
  if (findings.some((f) => f.severity === 'error')) {
    throw new ManifestValidationError(findings);
  }
  return [...findings];
}
