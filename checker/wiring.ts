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
  portAnswers,
  valueAt,
} from './manifest-model';

/** A workload's selector against its own Pod template: it must select the Pods it creates. */
export function checkWorkloadSelector(doc: ManifestDocument, template: PodTemplate): Finding[] {
  if (template.path === '') {
    return [];
  }
  const selector = plainObject(valueAt(doc.object, 'spec.selector'));
  if (!selector) {
    return [];
  }
  const matchLabels = plainObject(selector.matchLabels) ?? {};
  const expressions = arrayOf(selector.matchExpressions);
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(matchLabels)) {
    if (template.labels[key] !== value) {
      findings.push(
        findingAt(
          doc,
          'wiring',
          `spec.selector.matchLabels.${key}`,
          `selects ${key}=${value}, but the Pod template is labelled ${formatSelector(template.labels) || 'with nothing'}: ` +
            'the Deployment would not own the Pods it creates (the API server rejects it)',
        ),
      );
    }
  }
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
  readonly ports: ReadonlyArray<{ readonly port: JsonValue | undefined; readonly targetPort: JsonValue | undefined }>;
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
      return { port: fields?.port, targetPort: fields?.targetPort };
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
    const targetPort = port.targetPort ?? port.port;
    for (const template of selected) {
      if (!template.containerPorts.some((p) => portAnswers(p, targetPort))) {
        const offered = template.containerPorts.map((p) =>
          p.name ? `${p.containerPort} (${p.name})` : `${p.containerPort}`,
        );
        findings.push(
          findingAt(
            at(service),
            'wiring',
            `spec.ports[${index}].targetPort`,
            `${JSON.stringify(targetPort)} is not a container port of ${template.owner}, whose Pods the Service selects; ` +
              `its containers offer ${offered.length ? offered.join(', ') : 'no ports'}`,
          ),
        );
      }
    }
  });
  return findings;
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
