import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { synthesize } from '../lib/synthesis/synthesize';
import { loadManifestDirectory } from '../checker/load';
import { Workshop } from '../lib/workshop';
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

test('synth redraws a stale diagram in the document it is given, and lists it', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-'));
  try {
    const doc = path.join(scratch, 'LESSON.md');
    fs.writeFileSync(doc, `# Lesson\n${DIAGRAM_BEGIN}\nstale\n${DIAGRAM_END}\n`);
    const app = new App();
    new Workshop(app, 'workshop');
    const written = synthesize(app, { outdir: path.join(scratch, 'dist'), diagramFile: doc, log: () => undefined });
    expect(written).toContain(doc);
    expect(fs.readFileSync(doc, 'utf8')).toBe(`# Lesson\n${DIAGRAM_BEGIN}\n${diagram}\n${DIAGRAM_END}\n`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
