import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractKubectlCommands } from '../checker/lesson';
import { loadManifestDirectory } from '../checker/load';
import { validateManifests } from '../checker/validate';
import { DIAGRAM_END } from '../lib/wiring-diagram';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const dist = loadManifestDirectory(path.join(root, 'dist'), 'dist').docs;
const commands = extractKubectlCommands(readme, 'README.md');
/** The findings of the lesson rule for dist/ and this version of the lesson. */
const lessonFindings = (markdown: string) =>
  validateManifests(dist, { lesson: { name: 'README.md', markdown } }).filter((f) => f.rule === 'lesson');

describe('the lesson in README.md', () => {
  test('holds every command of the lesson', () => {
    const texts = commands.map((c) => c.text);
    expect(texts.slice(0, 4)).toEqual([
      'kubectl apply -f dist/homepage-pod.yml',
      'kubectl port-forward deployment/homepage 8090:80',
      'kubectl logs --selector app=signup,component=homepage',
      'kubectl apply -f dist/homepage-service.yml',
    ]);
    for (const expected of [
      'kubectl port-forward deployment/homepage 8090:80',
      'kubectl logs --selector app=signup,component=homepage',
      'kubectl get endpoints homepage',
      'kubectl get pods -l app=signup,component=homepage -o wide',
      'kubectl delete pod -l app=signup,component=homepage',
      'kubectl scale deploy/homepage --replicas 3',
      'kubectl apply -f dist/sleep.yml',
      'kubectl exec deploy/sleep -- nslookup homepage',
      "kubectl exec deploy/sleep -- sh -c 'curl -v -s --head http://homepage'",
      'kubectl delete -f dist/',
    ]) {
      expect(texts).toContain(expected);
    }
  });

  test('every command names objects, labels and ports that exist in dist/', () => {
    expect(lessonFindings(readme)).toEqual([]);
  });

  test('commands are located by line', () => {
    const portForward = commands.find((c) => c.text.includes('port-forward'))!;
    const line = Number(portForward.where.split(':')[1]);
    expect(readme.split('\n')[line - 1].trim()).toBe(portForward.text);
  });
});

describe('an edited lesson is checked too', () => {
  test.each([
    [
      'kubectl port-forward deployment/homepage 8090:80',
      'kubectl port-forward deployment/home 8090:80',
      'deployment/home',
    ],
    [
      'kubectl port-forward deployment/homepage 8090:80',
      'kubectl port-forward deployment/homepage 8090:8080',
      '8090:8080',
    ],
    ['kubectl get endpoints homepage', 'kubectl get endpoints home-page', 'endpoints home-page'],
    [
      'kubectl logs --selector app=signup,component=homepage',
      'kubectl logs --selector app=signup,component=home',
      'app=signup,component=home',
    ],
    ['kubectl scale deploy/homepage --replicas 3', 'kubectl scale deploy/homepages --replicas 3', 'deploy/homepages'],
    ['kubectl exec deploy/sleep -- nslookup homepage', 'kubectl exec deploy/sleep -- nslookup homepag', 'homepag'],
    [
      'kubectl exec deploy/sleep -- nslookup homepage',
      'kubectl exec deploy/sleepy -- nslookup homepage',
      'deploy/sleepy',
    ],
    [
      'kubectl delete pod -l app=signup,component=homepage',
      'kubectl delete pod -l app=sleep,tier=web',
      'app=sleep,tier=web',
    ],
    ['kubectl apply -f dist/homepage-service.yml', 'kubectl apply -f dist/homepage-svc.yml', 'dist/homepage-svc.yml'],
    [
      'kubectl exec deploy/sleep -- nslookup homepage',
      'kubectl exec deploy/sleep -- sh -c "nslookup homepag"',
      'homepag',
    ],
  ])('%s → %s is reported at %s', (original, edited, token) => {
    expect(readme.indexOf(original, readme.indexOf(DIAGRAM_END))).toBeGreaterThan(0);
    // The first use in the lesson; the diagram above it draws commands too, but is no lesson.
    const at = readme.indexOf(original, readme.indexOf(DIAGRAM_END));
    const editedReadme = readme.slice(0, at) + edited + readme.slice(at + original.length);
    const findings = lessonFindings(editedReadme);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'lesson', severity: 'error', object: edited, path: token });
    expect(findings[0].file).toMatch(/^README\.md:\d+$/);
  });

  test('a curl to a port the Service does not listen on is reported', () => {
    const curl = commands.find((c) => c.text.includes('curl'))!;
    const edited = readme.replace(curl.text, curl.text.replace('http://homepage', 'http://homepage:8080'));
    const findings = lessonFindings(edited);
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      ['http://homepage:8080', 'needs Service/homepage to listen on port 8080'],
    ]);
  });
});
