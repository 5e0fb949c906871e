import * as path from 'node:path';
import { loadManifestDirectory } from '../checker/load';
import { documentedReadme, drawWorkshopDiagram } from '../lib/docs';
import { DIAGRAM_BEGIN, DIAGRAM_END, renderWiringDiagram, withDiagram } from '../lib/wiring-diagram';
import { objectsOf } from './support';

const root = path.resolve(__dirname, '..');
const diagram = drawWorkshopDiagram(loadManifestDirectory(path.join(root, 'dist')).docs);

describe('the wiring diagram', () => {
  test('the README shows the diagram drawn from the committed dist/ (run npm run docs when this fails)', () => {
    const { current, expected } = documentedReadme(root);
    expect(current).toBe(expected);
  });

  test("shows each workload's Pod labels and ports, and the Service reaching only the homepage Pods", () => {
    expect(diagram).toContain(
      'Deployment_homepage_pods["Pods<br/>app=signup<br/>component=homepage<br/>port 80 (http)"]',
    );
    expect(diagram).toContain('Deployment_sleep_pods["Pods<br/>app=sleep"]');
    expect(diagram).toContain('selector app=signup,component=homepage<br/>port 80 (http) → 80');
    expect(diagram.match(/-- selects -->/g)).toHaveLength(1);
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
      'Service_homepage_nothing>"⚠ selects no Pods: no Pod carries app=signup,component=homepag"]',
    );
    expect(broken).toContain('Service_homepage -. selects .-> Service_homepage_nothing');
  });

  test('is placed between the markers, replacing what was there', () => {
    const doc = `intro\n${DIAGRAM_BEGIN}\nold picture\n${DIAGRAM_END}\noutro\n`;
    expect(withDiagram(doc, 'new picture')).toBe(`intro\n${DIAGRAM_BEGIN}\nnew picture\n${DIAGRAM_END}\noutro\n`);
    expect(withDiagram('no markers here', 'x')).toBeUndefined();
  });
});
