import * as fs from 'fs';
import * as path from 'path';
import { loadManifestDirectory } from '../lib/validation/load';
import { DIAGRAM_BEGIN, DIAGRAM_END, renderWiringDiagram, withDiagram } from '../lib/wiring-diagram';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const diagram = renderWiringDiagram(loadManifestDirectory(path.join(root, 'dist')).docs);

describe('the wiring diagram', () => {
  test('the README shows the diagram drawn from the committed dist/', () => {
    const shown = readme.slice(readme.indexOf(DIAGRAM_BEGIN) + DIAGRAM_BEGIN.length, readme.indexOf(DIAGRAM_END)).trim();
    expect(shown).toBe(diagram);
  });

  test('shows each workload\'s Pod labels and ports, and the Service reaching only the homepage Pods', () => {
    expect(diagram).toContain('Deployment_homepage_pods["Pods<br/>app=signup<br/>component=homepage<br/>port 80 (http)"]');
    expect(diagram).toContain('Deployment_sleep_pods["Pods<br/>app=sleep"]');
    expect(diagram).toContain('selector app=signup,component=homepage<br/>port 80 (http) → 80');
    expect(diagram.match(/-- selects -->/g)).toHaveLength(1);
    expect(diagram).toContain('Service_homepage -- selects --> Deployment_homepage_pods');
  });

  test('is placed between the markers, replacing what was there', () => {
    const doc = `intro\n${DIAGRAM_BEGIN}\nold picture\n${DIAGRAM_END}\noutro\n`;
    expect(withDiagram(doc, 'new picture')).toBe(`intro\n${DIAGRAM_BEGIN}\nnew picture\n${DIAGRAM_END}\noutro\n`);
    expect(withDiagram('no markers here', 'x')).toBeUndefined();
  });
});
