import { Labels } from './constants';

/**
 * Manifests as plain objects: what synthesis renders, what `npm run validate`
 * reads from disk, and what the wiring diagram is drawn from.
 */

/** A Kubernetes object as found in a manifest: plain JSON. */
export type K8sObject = Record<string, any>;

/** One object of a manifest file, with where it came from. */
export interface ManifestDocument {
  /** The file, as the user named it (relative to the working directory where possible). */
  readonly file: string;
  /** Position of the document in its file, from 0. */
  readonly index: number;
  readonly object: K8sObject;
}

/** `Kind/name` of an object, with placeholders for what is missing. */
export function objectRef(object: K8sObject): string {
  return `${object?.kind ?? '<no kind>'}/${object?.metadata?.name ?? '<no name>'}`;
}

/** The value as an object, or undefined for anything else (null, arrays, scalars). */
export function plainObject(value: unknown): Record<string, any> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, any> : undefined;
}

/** The Pods a workload creates, as its Pod template describes them. */
export interface PodTemplate {
  readonly doc: ManifestDocument;
  /** Path of the template within its object, e.g. `spec.template`. */
  readonly path: string;
  readonly labels: Labels;
  readonly containerPorts: ReadonlyArray<{ readonly containerPort?: number; readonly name?: string }>;
}

const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']);

/** The Pod template of a workload or the Pod itself; undefined for other kinds. */
export function podTemplateOf(doc: ManifestDocument): PodTemplate | undefined {
  const { object } = doc;
  const path = object.kind === 'Pod' ? '' : TEMPLATE_KINDS.has(object.kind) ? 'spec.template' : undefined;
  if (path === undefined) {
    return undefined;
  }
  const template: K8sObject | undefined = path === '' ? object : plainObject(object.spec?.template);
  const containers = Array.isArray(template?.spec?.containers) ? template!.spec.containers : [];
  return {
    doc,
    path,
    labels: plainObject(template?.metadata?.labels) ?? {},
    containerPorts: containers.flatMap((c: K8sObject) => (Array.isArray(c?.ports) ? c.ports : [])),
  };
}

/** All Pod templates of a set of documents. */
export function podTemplatesOf(docs: readonly ManifestDocument[]): PodTemplate[] {
  return docs.map(podTemplateOf).filter((t): t is PodTemplate => t !== undefined);
}

/** Whether a container port answers to a Service's targetPort, given by number or by name. */
export function portAnswers(port: { containerPort?: number; name?: string }, targetPort: unknown): boolean {
  return typeof targetPort === 'number' ? port.containerPort === targetPort : port.name === targetPort;
}
