import { formatSelector, requirementMatches, selectorMatches } from '../label-selector';
import { ManifestDocument, objectRef, plainObject, podTemplatesOf, portAnswers, PodTemplate } from '../manifest-model';
import { Finding, findingAt } from './findings';

function checkWorkloadSelector(template: PodTemplate): Finding[] {
  const { doc } = template;
  if (template.path === '') {
    return [];
  }
  const selector = plainObject(doc.object.spec?.selector);
  if (!selector) {
    return [];
  }
  const matchLabels = plainObject(selector.matchLabels) ?? {};
  const expressions: any[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(matchLabels)) {
    if (template.labels[key] !== value) {
      findings.push(findingAt(doc, 'wiring', `spec.selector.matchLabels.${key}`,
        `selects ${key}=${value}, but the Pod template is labelled ${formatSelector(template.labels) || 'with nothing'}: `
        + 'the Deployment would not own the Pods it creates (the API server rejects it)'));
    }
  }
  expressions.forEach((requirement, index) => {
    if (!requirementMatches(requirement, template.labels)) {
      findings.push(findingAt(doc, 'wiring', `spec.selector.matchExpressions[${index}]`,
        `does not hold for the Pod template labels ${formatSelector(template.labels) || '(none)'}`));
    }
  });
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    findings.push(findingAt(doc, 'wiring', 'spec.selector', 'is empty: it must select the Pod template labels'));
  }
  return findings;
}

function checkService(doc: ManifestDocument, templates: readonly PodTemplate[]): Finding[] {
  const selector = plainObject(doc.object.spec?.selector);
  if (!selector || Object.keys(selector).length === 0) {
    return [];
  }
  const selected = templates.filter((t) => selectorMatches(selector, t.labels));
  if (selected.length === 0) {
    const candidates = templates.map((t) => `${objectRef(t.doc.object)} has ${formatSelector(t.labels) || 'no labels'}`);
    return [findingAt(doc, 'wiring', 'spec.selector',
      `selects no Pods: no workload in the set has Pod labels matching ${formatSelector(selector)}`
      + (candidates.length ? ` (${candidates.join('; ')})` : ''))];
  }
  const findings: Finding[] = [];
  const workloads = selected.map((t) => objectRef(t.doc.object));
  if (selected.length > 1) {
    findings.push(findingAt(doc, 'wiring', 'spec.selector',
      `selects the Pods of ${selected.length} workloads (${workloads.join(', ')}): traffic is spread over all of them`, 'warning'));
  }
  const ports: any[] = Array.isArray(doc.object.spec?.ports) ? doc.object.spec.ports : [];
  ports.forEach((port, index) => {
    const targetPort = port?.targetPort ?? port?.port;
    for (const template of selected) {
      if (!template.containerPorts.some((p) => portAnswers(p, targetPort))) {
        const offered = template.containerPorts.map((p) => (p.name ? `${p.containerPort} (${p.name})` : `${p.containerPort}`));
        findings.push(findingAt(doc, 'wiring', `spec.ports[${index}].targetPort`,
          `${JSON.stringify(targetPort)} is not a container port of ${objectRef(template.doc.object)}, whose Pods the Service selects; `
          + `its containers offer ${offered.length ? offered.join(', ') : 'no ports'}`));
      }
    }
  });
  return findings;
}

/**
 * The wiring the lesson is about: each workload selects its own Pods, each
 * Service selects Pods of a workload in the set, and each Service port leads
 * to a port those Pods' containers listen on.
 */
export function checkWiring(docs: readonly ManifestDocument[]): Finding[] {
  const templates = podTemplatesOf(docs);
  return [
    ...templates.flatMap(checkWorkloadSelector),
    ...docs.filter((doc) => doc.object.kind === 'Service').flatMap((doc) => checkService(doc, templates)),
  ];
}

/** One line per Service with a selector: which workloads' Pods it selects, by which labels. */
export function describeWiring(docs: readonly ManifestDocument[]): string[] {
  const templates = podTemplatesOf(docs);
  return docs.filter((doc) => doc.object.kind === 'Service' && plainObject(doc.object.spec?.selector)).map((doc) => {
    const selector = doc.object.spec.selector;
    const selected = templates.filter((t) => selectorMatches(selector, t.labels)).map((t) => objectRef(t.doc.object));
    return `${objectRef(doc.object)} selects ${formatSelector(selector)}: the Pods of ${selected.length ? selected.join(', ') : 'no workload'}`;
  });
}
