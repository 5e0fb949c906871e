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

  test('draws an Ingress with an arrow per backend to its Service, and a warning for a Service not in the set', () => {
    const docs = objectsOf().map((object, index) => ({ file: 'f.yml', index, object }));
    const backend = (name: string, port: number) => ({ service: { name, port: { number: port } } });
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web' },
      spec: {
        rules: [
          {
            host: 'signup.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: backend('homepage', HTTP_PORT.number) },
                { path: '/api', pathType: 'Prefix', backend: backend('api', 8080) },
              ],
            },
          },
        ],
      },
    };
    const drawn = renderWiringDiagram([...docs, { file: 'f.yml', index: docs.length, object: ingress }]);
    expect(drawn).toContain('Ingress_web[/"Ingress/web<br/>signup.example.com"/]');
    expect(drawn).toContain(`Ingress_web -- "/ → port ${HTTP_PORT.number}" --> Service_homepage`);
    expect(drawn).toContain('Ingress_web -. "/api → port 8080" .-> Ingress_web_api_missing');
    expect(drawn).toContain('Ingress_web_api_missing>"⚠ Service api is not in the set"]');
  });

  test('is placed between the markers, replacing what was there', () => {
    const doc = `intro\n${DIAGRAM_BEGIN}\nold picture\n${DIAGRAM_END}\noutro\n`;
    expect(withDiagram(doc, 'new picture')).toBe(`intro\n${DIAGRAM_BEGIN}\nnew picture\n${DIAGRAM_END}\noutro\n`);
    expect(withDiagram('no markers here', 'x')).toBeUndefined();
  });
});
