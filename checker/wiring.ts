import { type Finding, findingAt } from './findings';
import { formatSelector, requirementMatches, selectorMatches, selectorRequirementOf } from './label-selector';
import {
  arrayOf,
  type JsonObject,
  type JsonValue,
  labelsOf,
  type ManifestDocument,
  objectRef,
  type PodTemplate,
  plainObject,
  valueAt,
} from './manifest-model';

/**
 * The pairs of a selector's label map that the Pod template's labels lack: the workload would not
 * own the Pods it creates, and the API server rejects it ("`selector` does not match template `labels`").
 */
function unmatchedPairs(doc: ManifestDocument, pairs: JsonObject, path: string, template: PodTemplate): Finding[] {
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(pairs)) {
    if (template.labels[key] !== value) {
      findings.push(
        findingAt(
          doc,
          'wiring',
          `${path}.${key}`,
          `selects ${key}=${value}, but the Pod template is labelled ${formatSelector(template.labels) || 'with nothing'}: ` +
            `the ${doc.object.kind} would not own the Pods it creates (the API server rejects it)`,
        ),
      );
    }
  }
  return findings;
}

/** A workload's selector against its own Pod template: it must select the Pods it creates. */
export function checkWorkloadSelector(doc: ManifestDocument, template: PodTemplate): Finding[] {
  if (template.path === '') {
    return [];
  }
  const selector = plainObject(valueAt(doc.object, 'spec.selector'));
  if (doc.object.kind === 'ReplicationController') {
    // A plain label map (ValidateReplicationControllerSpec); the API server fills an empty one
    // with the template's labels, and refuses it when there are none to fill it with.
    if ((selector === undefined || Object.keys(selector).length === 0) && Object.keys(template.labels).length === 0) {
      return [findingAt(doc, 'wiring', 'spec.selector', 'is required: the Pod template has no labels to take it from')];
    }
    return unmatchedPairs(doc, selector ?? {}, 'spec.selector', template);
  }
  if (!selector) {
    return [];
  }
  const matchLabels = plainObject(selector.matchLabels) ?? {};
  const findings = unmatchedPairs(doc, matchLabels, 'spec.selector.matchLabels', template);
  const expressions = arrayOf(selector.matchExpressions);
  expressions.forEach((expression, index) => {
    const requirement = selectorRequirementOf(expression);
    if (!requirement || !requirementMatches(requirement, template.labels)) {
      findings.push(
        findingAt(
          doc,
          'wiring',
          `spec.selector.matchExpressions[${index}]`,
          `does not hold for the Pod template labels ${formatSelector(template.labels) || '(none)'}`,
        ),
      );
    }
  });
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    findings.push(findingAt(doc, 'wiring', 'spec.selector', 'is empty: it must select the Pod template labels'));
  }
  return findings;
}

/** What the wiring rules keep of a Service: where it is, what it selects and its ports. */
export interface ServiceWiring {
  readonly file: string;
  readonly ref: string;
  readonly name: string | undefined;
  /** The selector as written; undefined when the Service has none (it then selects no Pods). */
  readonly selector: JsonObject | undefined;
  readonly ports: readonly ServicePort[];
}

/** A Service port as the wiring rules read it. */
export interface ServicePort {
  readonly port: JsonValue | undefined;
  readonly targetPort: JsonValue | undefined;
  /** `TCP` when the manifest gives none, as the API server defaults it. */
  readonly protocol: string;
}

/** The part of a Service the cross-object rules need, so that the rest of the object can be dropped. */
export function serviceWiringOf(doc: ManifestDocument): ServiceWiring {
  const name = valueAt(doc.object, 'metadata.name');
  return {
    file: doc.file,
    ref: objectRef(doc.object),
    name: typeof name === 'string' ? name : undefined,
    selector: plainObject(valueAt(doc.object, 'spec.selector')),
    ports: arrayOf(valueAt(doc.object, 'spec.ports')).map((port) => {
      const fields = plainObject(port);
      const protocol = fields?.protocol;
      return {
        port: fields?.port,
        targetPort: fields?.targetPort,
        protocol: typeof protocol === 'string' ? protocol : 'TCP',
      };
    }),
  };
}

const at = (service: ServiceWiring) => ({ file: service.file, object: service.ref });

/**
 * A Service against every Pod template of the set: it selects Pods of a
 * workload, and each of its ports leads to a port those Pods' containers listen on.
 */
export function checkService(service: ServiceWiring, templates: readonly PodTemplate[]): Finding[] {
  const { selector } = service;
  if (!selector || Object.keys(selector).length === 0) {
    return [];
  }
  const selected = templates.filter((t) => selectorMatches(labelsOf(selector), t.labels) && sameSize(selector));
  if (selected.length === 0) {
    const candidates = templates.map((t) => `${t.owner} has ${formatSelector(t.labels) || 'no labels'}`);
    return [
      findingAt(
        at(service),
        'wiring',
        'spec.selector',
        `selects no Pods: no workload in the set has Pod labels matching ${formatSelector(labelsOf(selector))}` +
          (candidates.length ? ` (${candidates.join('; ')})` : ''),
      ),
    ];
  }
  const findings: Finding[] = [];
  if (selected.length > 1) {
    findings.push(
      findingAt(
        at(service),
        'wiring',
        'spec.selector',
        `selects the Pods of ${selected.length} workloads (${selected.map((t) => t.owner).join(', ')}): traffic is spread over all of them`,
        'warning',
      ),
    );
  }
  service.ports.forEach((port, index) => {
    for (const template of selected) {
      const finding = targetPortFinding(service, port, index, template);
      if (finding) {
        findings.push(finding);
      }
    }
  });
  return findings;
}

const describePorts = (template: PodTemplate) =>
  template.containerPorts
    .map((p) => `${p.containerPort}${p.name ? ` (${p.name})` : ''}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}`)
    .join(', ');

/**
 * Where a Service port's traffic goes in one selected Pod template, as the endpoints controller
 * finds it (podutil.FindPort): a number is used as it is, whatever the containers declare; a
 * name must be declared by a container with the Service port's protocol.
 */
function targetPortFinding(
  service: ServiceWiring,
  port: ServicePort,
  index: number,
  template: PodTemplate,
): Finding | undefined {
  // The API server defaults a missing, 0 or "" targetPort to the port.
  const targetPort =
    port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '' ? port.port : port.targetPort;
  const path = `spec.ports[${index}].targetPort`;
  const declared = template.containerPorts;
  if (typeof targetPort === 'number') {
    if (declared.length === 0) {
      return findingAt(
        at(service),
        'wiring',
        path,
        `${targetPort}: the containers of ${template.owner} declare no ports; Kubernetes sends the traffic to port ${targetPort} all the same (a container's ports are informational), so a container must listen there`,
        'warning',
      );
    }
    if (declared.some((p) => p.containerPort === targetPort)) {
      return undefined;
    }
    return findingAt(
      at(service),
      'wiring',
      path,
      `${targetPort} is not a container port of ${template.owner}, whose Pods the Service selects; its containers offer ${describePorts(template)}`,
    );
  }
  if (typeof targetPort !== 'string') {
    return undefined;
  }
  const named = declared.filter((p) => p.name === targetPort);
  if (named.some((p) => p.protocol === port.protocol)) {
    return undefined;
  }
  // "1555" beside a container port 1555: a quoted number is a port name, not the number.
  const quotedNumber = /^[0-9]+$/.test(targetPort) && declared.some((p) => p.containerPort === Number(targetPort));
  const hint = quotedNumber
    ? ` (a quoted number is a port name: write ${targetPort} without quotes for the port number)`
    : '';
  const message =
    named.length > 0
      ? `${JSON.stringify(targetPort)} is declared by ${template.owner} for ${named.map((p) => p.protocol).join(', ')}, but this Service port is ${port.protocol}: a named target port must be declared with the Service port's protocol`
      : `no container of ${template.owner}, whose Pods the Service selects, declares a port named ${JSON.stringify(targetPort)}; its containers offer ${declared.length ? describePorts(template) : 'no ports'}${hint}`;
  return findingAt(at(service), 'wiring', path, message);
}

// A selector value that is not a string can match no label: such a selector selects nothing.
const sameSize = (selector: JsonObject) => Object.keys(labelsOf(selector)).length === Object.keys(selector).length;

/** One line for a Service with a selector: which workloads' Pods it selects, by which labels. */
export function describeServiceWiring(service: ServiceWiring, templates: readonly PodTemplate[]): string | undefined {
  if (!service.selector) {
    return undefined;
  }
  const selector = labelsOf(service.selector);
  const selected = sameSize(service.selector)
    ? templates.filter((t) => selectorMatches(selector, t.labels)).map((t) => t.owner)
    : [];
  return `${service.ref} selects ${formatSelector(selector)}: the Pods of ${selected.length ? selected.join(', ') : 'no workload'}`;
}
