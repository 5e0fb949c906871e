import {
  arrayOf,
  backendsOf,
  formatSelector,
  labelsOf,
  type ManifestDocument,
  plainObject,
  podTemplatesOf,
  selectorMatches,
  serviceWiringOf,
  stringAt,
  valueAt,
} from '@k8s-101/manifest-checker';
import { sectionBegin, sectionEnd, withGeneratedSection } from './generated-section';

/** The markers between which a Markdown document holds the generated diagram. */
/** Name of the README section holding the diagram. */
export const DIAGRAM_SECTION = 'wiring-diagram';
export const DIAGRAM_BEGIN = sectionBegin(DIAGRAM_SECTION);
export const DIAGRAM_END = sectionEnd(DIAGRAM_SECTION);

/** How the lesson reaches the Pods, drawn on top of the wiring. */
export interface LessonPaths {
  /** `kubectl port-forward deployment/NAME LOCAL:PORT`: straight to one Pod of that workload. */
  readonly portForward?: { readonly workload: string; readonly localPort: number; readonly port: number };
  /** A shell in one workload's Pods calling a Service by its DNS name, as `curl http://NAME` does. */
  readonly serviceCall?: { readonly from: string; readonly service: string };
}

const nodeId = (ref: string) => ref.replace(/[^A-Za-z0-9]/g, '_');
const quote = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

/**
 * A Mermaid flowchart of a manifest set: each workload with its Pod labels and container ports,
 * each Service with its selector and ports, and an arrow from each Service to the Pods it selects.
 * A Service that selects no Pods points at a warning node instead, so a broken label shows.
 * Replica counts are left out, so that scaling does not change the picture.
 */
export function renderWiringDiagram(docs: readonly ManifestDocument[], lesson: LessonPaths = {}): string {
  const lines = ['```mermaid', 'flowchart LR'];
  const templates = podTemplatesOf(docs);
  for (const template of templates) {
    const ports = template.containerPorts.map((p) => `port ${p.containerPort}${p.name ? ` (${p.name})` : ''}`);
    const pods = ['Pods', ...Object.entries(template.labels).map(([k, v]) => `${k}=${v}`), ...ports].join('<br/>');
    const id = nodeId(template.owner);
    lines.push(`  subgraph ${id}[${quote(template.owner)}]`, `    ${id}_pods[${quote(pods)}]`, '  end');
  }
  const serviceDocs = docs.filter((d) => d.object.kind === 'Service');
  const services = serviceDocs.map(serviceWiringOf);
  serviceDocs.forEach((doc, index) => {
    const service = services[index];
    const id = nodeId(service.ref);
    const ports = arrayOf(valueAt(doc.object, 'spec.ports')).map((entry) => {
      const port = plainObject(entry);
      const name = typeof port?.name === 'string' ? ` (${port.name})` : '';
      return `port ${port?.port}${name} → ${port?.targetPort ?? port?.port}`;
    });
    const selector = formatSelector(labelsOf(service.selector)) || '(none)';
    const type = stringAt(doc.object, 'spec.type') ?? 'ClusterIP';
    lines.push(`  ${id}([${quote([service.ref, type, `selector ${selector}`, ...ports].join('<br/>'))}])`);
    const selected = service.selector
      ? templates.filter((t) => selectorMatches(labelsOf(service.selector), t.labels))
      : [];
    for (const template of selected) {
      lines.push(`  ${id} -- selects --> ${nodeId(template.owner)}_pods`);
    }
    if (selected.length === 0) {
      lines.push(
        `  ${id}_nothing>${quote(`⚠ selects no Pods: no Pod carries ${selector}`)}]`,
        `  ${id} -. selects .-> ${id}_nothing`,
        `  style ${id}_nothing fill:#fdd,stroke:#c00,color:#900`,
      );
    }
  });
  lines.push(...ingressLines(docs, services));
  const podsOf = (workload: string) => templates.find((t) => t.owner === `Deployment/${workload}`);
  const forwarded = lesson.portForward && podsOf(lesson.portForward.workload);
  if (lesson.portForward && forwarded) {
    const { workload, localPort, port } = lesson.portForward;
    lines.push(
      `  port_forward[/${quote(`kubectl port-forward deployment/${workload} ${localPort}:${port}`)}/]`,
      `  port_forward -- one Pod, port ${port} --> ${nodeId(forwarded.owner)}_pods`,
    );
  }
  const caller = lesson.serviceCall && podsOf(lesson.serviceCall.from);
  const called = lesson.serviceCall && services.find((s) => s.name === lesson.serviceCall?.service);
  if (lesson.serviceCall && caller && called) {
    const dns = `dns_${nodeId(called.ref)}`;
    lines.push(
      `  ${dns}{{${quote(`cluster DNS: ${called.name}`)}}}`,
      `  ${nodeId(caller.owner)}_pods -- ${quote(`curl http://${called.name}`)} --> ${dns}`,
      `  ${dns} -- ClusterIP --> ${nodeId(called.ref)}`,
    );
  }
  lines.push('```');
  return lines.join('\n');
}

/**
 * Each Ingress, with an arrow per backend to the Service it routes to, labelled with the path and
 * the port; a backend whose Service is not in the set points at a warning node instead.
 */
function ingressLines(docs: readonly ManifestDocument[], services: ReadonlyArray<{ name?: string; ref: string }>) {
  const lines: string[] = [];
  for (const doc of docs.filter((d) => d.object.kind === 'Ingress')) {
    const ref = `Ingress/${stringAt(doc.object, 'metadata.name')}`;
    const id = nodeId(ref);
    const hosts = arrayOf(valueAt(doc.object, 'spec.rules')).map((rule) => stringAt(plainObject(rule), 'host') ?? '*');
    lines.push(`  ${id}[/${quote([ref, ...new Set(hosts)].join('<br/>'))}/]`);
    for (const backend of backendsOf(doc.object)) {
      const port = backend.port.name ?? backend.port.number;
      const label = quote(`${backend.httpPath ?? 'default backend'} → port ${port}`);
      const service = services.find((s) => s.name === backend.name);
      if (service) {
        lines.push(`  ${id} -- ${label} --> ${nodeId(service.ref)}`);
      } else {
        const missing = `${id}_${nodeId(backend.name)}_missing`;
        lines.push(
          `  ${missing}>${quote(`⚠ Service ${backend.name} is not in the set`)}]`,
          `  ${id} -. ${label} .-> ${missing}`,
          `  style ${missing} fill:#fdd,stroke:#c00,color:#900`,
        );
      }
    }
  }
  return lines;
}

/** The document with the diagram put between its markers; undefined when it has no markers. */
export function withDiagram(markdown: string, diagram: string): string | undefined {
  return withGeneratedSection(markdown, DIAGRAM_SECTION, diagram);
}
