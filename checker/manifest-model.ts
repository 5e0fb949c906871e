/**
 * Manifests as typed JSON: what a caller renders in memory, what the checker
 * reads from disk. The rules read objects only through the accessors below,
 * so a field of an unexpected type is seen as absent instead of crashing a rule.
 */

/** Any value a JSON or YAML manifest can hold once parsed. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON mapping. `undefined` is allowed so that objects built in code (optional props) fit too. */
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}

/** A set of Kubernetes labels, or an equality selector. */
export type Labels = Readonly<Record<string, string>>;

/** One object of a manifest file, with where it came from. */
export interface ManifestDocument {
  /** The file, as the user named it (relative to the working directory where possible). */
  readonly file: string;
  /** Position of the document in its file, from 0. */
  readonly index: number;
  readonly object: JsonObject;
}

/** The value as a mapping, or undefined for anything else (null, arrays, scalars). */
export function plainObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The value as an array, or an empty one for anything else. */
export function arrayOf(value: unknown): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

// The rules ask for a handful of paths, once per object each: split each path once.
const pathKeys = new Map<string, readonly string[]>();

/** The value at a dotted path (`spec.template.metadata`), or undefined when any step is missing. */
export function valueAt(object: JsonObject | undefined, path: string): JsonValue | undefined {
  let keys = pathKeys.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    pathKeys.set(path, keys);
  }
  let node: JsonValue | undefined = object;
  for (const key of keys) {
    node = plainObject(node)?.[key];
  }
  return node;
}

/** The string at a dotted path, or undefined when it is absent or not a string. */
export function stringAt(object: JsonObject | undefined, path: string): string | undefined {
  const value = valueAt(object, path);
  return typeof value === 'string' ? value : undefined;
}

/** The string-valued entries of a mapping: labels, selectors. */
export function labelsOf(value: unknown): Labels {
  const entries = Object.entries(plainObject(value) ?? {}).filter(([, v]) => typeof v === 'string');
  return Object.fromEntries(entries) as Labels;
}

/** A kind or name as printed in `Kind/name`: a string as it is, anything else as JSON, marked. */
function refPart(value: JsonValue | undefined, missing: string): string {
  if (value === undefined || value === null) {
    return missing;
  }
  return typeof value === 'string' ? value : `<not a string: ${JSON.stringify(value).slice(0, 40)}>`;
}

/** `Kind/name` of an object, with placeholders for what is missing or not a string. */
export function objectRef(object: JsonObject | undefined): string {
  return `${refPart(object?.kind, '<no kind>')}/${refPart(plainObject(object?.metadata)?.name, '<no name>')}`;
}

/** A container port as the wiring rules see it. */
export interface ContainerPort {
  readonly containerPort?: number;
  readonly name?: string;
  /** `TCP` when the manifest gives none, as the API server defaults it. */
  readonly protocol: string;
}

/** The Pods a workload creates, as its Pod template describes them. */
export interface PodTemplate {
  /** `Kind/name` of the workload (or Pod). */
  readonly owner: string;
  /** Path of the template within its object, e.g. `spec.template`; empty for a Pod. */
  readonly path: string;
  readonly labels: Labels;
  readonly containerPorts: readonly ContainerPort[];
}

// Where each kind that makes Pods keeps its Pod template; a Pod is its own.
const TEMPLATE_PATHS: Readonly<Record<string, string>> = {
  Pod: '',
  Deployment: 'spec.template',
  ReplicaSet: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  Job: 'spec.template',
  ReplicationController: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
};

/** Where an object of this kind keeps its Pod template: '' for a Pod, undefined for kinds without one. */
function templatePathOf(kind: unknown): string | undefined {
  return typeof kind === 'string' && Object.hasOwn(TEMPLATE_PATHS, kind) ? TEMPLATE_PATHS[kind] : undefined;
}

/** A container of a Pod or of a workload's Pod template, with its field path. */
export interface ContainerAt {
  /** e.g. `spec.template.spec.containers[0]`. */
  readonly path: string;
  readonly container: JsonObject;
}

/** The init containers and containers of a Pod or of a workload's Pod template; none for other kinds. */
export function containersOf(object: JsonObject): ContainerAt[] {
  const templatePath = templatePathOf(object.kind);
  if (templatePath === undefined) {
    return [];
  }
  const specPath = templatePath === '' ? 'spec' : `${templatePath}.spec`;
  const spec = plainObject(valueAt(object, specPath));
  const found: ContainerAt[] = [];
  for (const group of ['initContainers', 'containers']) {
    arrayOf(spec?.[group]).forEach((item, index) => {
      const container = plainObject(item);
      if (container) {
        found.push({ path: `${specPath}.${group}[${index}]`, container });
      }
    });
  }
  return found;
}

/** The Pod template of a workload or the Pod itself; undefined for other kinds. */
export function podTemplateOf(object: JsonObject): PodTemplate | undefined {
  const path = templatePathOf(object.kind);
  if (path === undefined) {
    return undefined;
  }
  const template = path === '' ? object : plainObject(valueAt(object, path));
  const containerPorts = arrayOf(valueAt(template, 'spec.containers')).flatMap((container) =>
    arrayOf(plainObject(container)?.ports).flatMap((port): ContainerPort[] => {
      const fields = plainObject(port);
      if (!fields) {
        return [];
      }
      return [
        {
          ...(typeof fields.containerPort === 'number' ? { containerPort: fields.containerPort } : {}),
          ...(typeof fields.name === 'string' ? { name: fields.name } : {}),
          protocol: typeof fields.protocol === 'string' ? fields.protocol : 'TCP',
        },
      ];
    }),
  );
  return { owner: objectRef(object), path, labels: labelsOf(valueAt(template, 'metadata.labels')), containerPorts };
}

/** All Pod templates of a set of documents. */
export function podTemplatesOf(docs: readonly ManifestDocument[]): PodTemplate[] {
  return docs.map((doc) => podTemplateOf(doc.object)).filter((t): t is PodTemplate => t !== undefined);
}

/** Whether a container port answers to a Service's targetPort, given by number or by name. */
export function portAnswers(port: ContainerPort, targetPort: unknown): boolean {
  return typeof targetPort === 'number' ? port.containerPort === targetPort : port.name === targetPort;
}

/**
 * A copy of what a rule keeps of an object, sharing no string with the parsed text: V8 cuts
 * parsed strings out of the text they came from, and one kept label would keep that text, a
 * megabyte of input, alive.
 */
export function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Whether two objects' namespaces may be one: equal, or either unset (an object without a
 * namespace goes to the namespace it is applied to, which may be the other's).
 */
export const sameNamespace = (a: string | undefined, b: string | undefined) =>
  a === undefined || b === undefined || a === b;
