import { CustomResourceSchemas } from './custom-resources';
import { type Finding, findingAt, formatFinding, plural } from './findings';
import type { CrossObjectView, Lesson } from './lesson';
import {
  arrayOf,
  detached,
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
  /**
   * CustomResourceDefinitions given apart from the set (`--crd`), read before it.
   * @default - only those in the set
   */
  readonly customResourceDefinitions?: readonly ManifestDocument[];
  /**
   * Severity of the finding that a kind was not checked, as no schema (built-in or CRD) describes it.
   * @default 'warning'
   */
  readonly missingSchema?: Finding['severity'];
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

// `kind: List` and typed lists such as `DeploymentList`: kubectl applies their items.
const isList = (object: JsonObject) =>
  typeof object.kind === 'string' && /List$/.test(object.kind) && Array.isArray(object.items);

const OBJECT_RULES = RULE_REGISTRY.filter((rule) => rule.checkObject !== undefined && rule !== schemaRule);
const KEEPING_RULES = RULE_REGISTRY.filter((rule) => rule.keep !== undefined);

/** What checking one object needs besides the object: the schema, the caller's range, the CRDs seen. */
export interface ObjectCheckSettings {
  readonly schema: CompiledSchema;
  readonly customResources: CustomResourceSchemas;
  readonly replicas?: WholeNumberRange;
}

const contexts = new WeakMap<ObjectCheckSettings, ObjectContext>();

/** The context of the object rules for objects with no schema finding, made once per settings. */
function contextOf(settings: ObjectCheckSettings): ObjectContext {
  let context = contexts.get(settings);
  if (context === undefined) {
    const { schema, customResources, replicas } = settings;
    context = { schema, customResources, schemaProblemPaths: [], ...(replicas ? { replicas } : {}) };
    contexts.set(settings, context);
  }
  return context;
}

/** Checks one object (each item, for a List) against every rule's part that needs only it, in registry order. */
export function checkObjectAlone(doc: ManifestDocument, settings: ObjectCheckSettings): ObjectReport[] {
  if (isList(doc.object)) {
    return arrayOf(doc.object.items).flatMap((item, index): ObjectReport[] => {
      const object = plainObject(item);
      return object
        ? checkObjectAlone({ ...doc, object }, settings)
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
  const clean = contextOf(settings);
  const findings: Finding[] = [...(schemaRule.checkObject?.(doc, clean) ?? [])];
  // Most objects have no schema finding, and share one context.
  const context: ObjectContext =
    findings.length === 0 ? clean : { ...clean, schemaProblemPaths: findings.map((finding) => finding.path) };
  for (const rule of OBJECT_RULES) {
    findings.push(...(rule.checkObject?.(doc, context) ?? []));
  }
  let kept: Partial<Record<RuleName, readonly unknown[]>> | undefined;
  for (const rule of KEEPING_RULES) {
    const mine = rule.keep?.(doc) ?? [];
    if (mine.length > 0) {
      kept ??= {};
      kept[rule.name] = mine;
    }
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
  // What the rules kept is theirs and copied already.
  const report = template || object.service ? detached(object) : object;
  return [{ findings, object: kept ? { ...report, kept } : report }];
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
  /** The CustomResourceDefinitions seen, and the custom resources waiting for one. */
  readonly customResources: CustomResourceSchemas;
  private readonly settings: ObjectCheckSettings;
  private count = 0;

  constructor(options: CheckOptions = {}) {
    this.schema = options.schema ?? kubernetesSchema();
    this.customResources = new CustomResourceSchemas(this.schema, options.missingSchema);
    for (const crd of options.customResourceDefinitions ?? []) {
      this.record(this.customResources.define(crd));
    }
    this.settings = { schema: this.schema, customResources: this.customResources, replicas: options.replicas };
    const setOptions = { ...options, customResources: this.customResources };
    this.sets = RULE_REGISTRY.flatMap((rule) => (rule.startSet ? [rule.startSet(setOptions)] : []));
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
    for (const report of checkObjectAlone(doc, this.settings)) {
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
