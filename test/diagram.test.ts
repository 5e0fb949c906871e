import * as path from 'node:path';
import { loadManifestDirectory } from '../checker/load';
import { HOMEPAGE_POD_LABELS, HTTP_PORT, SLEEP_POD_LABELS } from '../lib/constants';
import { drawWorkshopDiagram } from '../lib/docs';
import { DIAGRAM_BEGIN, DIAGRAM_END, renderWiringDiagram, withDiagram } from '../lib/wiring-diagram';
import { objectsOf } from './support';

/** Labels as the diagram writes them: `key=value`, joined. */
const pairs = (labels: Record<string, string>, separator: string) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(separator);

const root = path.resolve(__dirname, '..');
const diagram = drawWorkshopDiagram(loadManifestDirectory(path.join(root, 'dist')).docs);

describe('the wiring diagram', () => {
  test("shows each workload's Pod labels and ports, and the Service reaching only the homepage Pods", () => {
    const port = `port ${HTTP_PORT.number} (${HTTP_PORT.name})`;
    expect(diagram).toContain(
      `Deployment_homepage_pods["Pods<br/>${pairs(HOMEPAGE_POD_LABELS, '<br/>')}<br/>${port}"]`,
    );
    expect(diagram).toContain(`Deployment_sleep_pods["Pods<br/>${pairs(SLEEP_POD_LABELS, '<br/>')}"]`);
    expect(diagram).toContain(`selector ${pairs(HOMEPAGE_POD_LABELS, ',')}<br/>${port} → ${HTTP_PORT.number}`);
    expect(diagram.match(/Service_homepage -- selects -->/g)).toHaveLength(1);
    expect(diagram).toContain('Service_homepage -- selects --> Deployment_homepage_pods');
    expect(diagram).not.toContain('selects no Pods');
  });

  test('shows how the lesson reaches the Pods: port-forward to one Pod, sleep through DNS to the Service', () => {
    expect(diagram).toContain('port_forward[/"kubectl port-forward deployment/homepage 8090:80"/]');
    expect(diagram).toContain('port_forward -- one Pod, port 80 --> Deployment_homepage_pods');
    expect(diagram).toContain('Deployment_sleep_pods -- "curl http://homepage" --> dns_Service_homepage');
    expect(diagram).toContain('dns_Service_homepage -- ClusterIP --> Service_homepage');
  });

  test('a Service that selects no Pods is drawn with a visible warning instead of an arrow', () => {
    const docs = objectsOf().map((object, index) => ({ file: 'f.yml', index, object }));
    const service = docs.find((d) => d.object.kind === 'Service')!.object;
    service.spec.selector.component = 'homepag';
    const broken = renderWiringDiagram(docs);
    expect(broken).not.toContain('-- selects -->');
    expect(broken).toContain(
      `Service_homepage_nothing>"⚠ selects no Pods: no Pod carries ${pairs(service.spec.selector, ',')}"]`,
    );
    expect(broken).toContain('Service_homepage -. selects .-> Service_homepage_nothing');
  });

  test('is placed between the markers, replacing what was there', () => {
    const doc = `intro\n${DIAGRAM_BEGIN}\nold picture\n${DIAGRAM_END}\noutro\n`;
    expect(withDiagram(doc, 'new picture')).toBe(`intro\n${DIAGRAM_BEGIN}\nnew picture\n${DIAGRAM_END}\noutro\n`);
    expect(withDiagram('no markers here', 'x')).toBeUndefined();
  });
});
