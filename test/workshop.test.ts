import { App, Chart } from 'cdk8s';
import { selectorMatches } from '../checker/label-selector';
import {
  DEFAULT_REPLICAS,
  HOMEPAGE_IMAGE,
  HOMEPAGE_NAME,
  HOMEPAGE_POD_ANNOTATIONS,
  HOMEPAGE_POD_LABELS,
  HTTP_PORT,
  LINUX_NODE_SELECTOR,
  MAX_REPLICAS,
  SLEEP_DEPLOYMENT_LABELS,
  SLEEP_IMAGE,
  SLEEP_NAME,
  SLEEP_POD_LABELS,
} from '../lib/constants';
import { HomepageDeployment } from '../lib/homepage-deployment';
import { HomepageService } from '../lib/homepage-service';
import { SleepDeployment } from '../lib/sleep-deployment';
import { type K8sObject, objectsOf, renderWorkshop, theObject } from './support';

const objects = objectsOf();
const homepage = theObject(objects, 'Deployment', HOMEPAGE_NAME);
const sleep = theObject(objects, 'Deployment', SLEEP_NAME);
const service = theObject(objects, 'Service', HOMEPAGE_NAME);
const deployments = objects.filter((o) => o.kind === 'Deployment');

const podSpec = (deployment: K8sObject) => deployment.spec.template.spec;
const podLabels = (deployment: K8sObject) => deployment.spec.template.metadata.labels;

describe('files and names', () => {
  test('synthesis writes exactly three files, one object each', () => {
    expect(renderWorkshop().map((m) => [m.file, m.objects.map((o) => `${o.kind}/${o.metadata.name}`)])).toEqual([
      ['homepage-pod.yml', ['Deployment/homepage']],
      ['homepage-service.yml', ['Service/homepage']],
      ['sleep.yml', ['Deployment/sleep']],
    ]);
  });

  test('object names carry no generated suffix, whatever the construct ids', () => {
    const app = new App();
    const chart = new Chart(app, 'some-chart-id');
    const deployment = new HomepageDeployment(chart, 'any-id');
    new HomepageService(chart, 'other-id', { deployment });
    new SleepDeployment(chart, 'third-id');
    expect(chart.toJson().map((o) => o.metadata.name)).toEqual(['homepage', 'homepage', 'sleep']);
  });

  test('rendering twice gives byte-identical YAML', () => {
    expect(renderWorkshop().map((m) => m.yaml)).toEqual(renderWorkshop().map((m) => m.yaml));
  });
});

describe('label wiring', () => {
  test('the homepage Service selects exactly the homepage Pod labels', () => {
    expect(service.spec.selector).toEqual(HOMEPAGE_POD_LABELS);
    expect(selectorMatches(service.spec.selector, podLabels(homepage))).toBe(true);
  });

  test('the homepage Service does not select the sleep Pods', () => {
    expect(selectorMatches(service.spec.selector, podLabels(sleep))).toBe(false);
  });

  test.each(deployments.map((d) => [d.metadata.name, d]))('Deployment %s selects its own Pod template', (_, d) => {
    expect(selectorMatches(d.spec.selector.matchLabels, podLabels(d))).toBe(true);
    expect(d.spec.selector.matchExpressions).toBeUndefined();
  });

  test('Pod templates carry exactly the workshop labels, none derived from construct paths', () => {
    expect(podLabels(homepage)).toEqual(HOMEPAGE_POD_LABELS);
    expect(homepage.spec.selector.matchLabels).toEqual(HOMEPAGE_POD_LABELS);
    expect(podLabels(sleep)).toEqual(SLEEP_POD_LABELS);
    expect(sleep.spec.selector.matchLabels).toEqual(SLEEP_POD_LABELS);
  });

  test('the Service targetPort resolves to a container port of every Pod it selects', () => {
    const [port] = service.spec.ports;
    const selected = deployments.filter((d) => selectorMatches(service.spec.selector, podLabels(d)));
    // A Service that selects nothing would pass the loop below vacuously.
    expect(selected.map((d) => d.metadata.name)).toEqual([HOMEPAGE_NAME]);
    for (const deployment of selected) {
      const containerPorts = podSpec(deployment).containers.flatMap((c: K8sObject) => c.ports ?? []);
      const target = containerPorts.find(
        (p: K8sObject) => (typeof port.targetPort === 'number' ? p.containerPort : p.name) === port.targetPort,
      );
      expect(target).toEqual({ containerPort: 80, name: 'http' });
    }
  });

  test('the Service follows the Deployment it fronts: other Pod labels move its selector too', () => {
    const relabelled = objectsOf({ homepage: { podLabels: { app: 'web', tier: 'front' } } });
    expect(theObject(relabelled, 'Service', HOMEPAGE_NAME).spec.selector).toEqual({ app: 'web', tier: 'front' });
    expect(theObject(relabelled, 'Deployment', HOMEPAGE_NAME).spec.template.metadata.labels).toEqual({
      app: 'web',
      tier: 'front',
    });
  });

  test('changing a label constant changes every dependent label and selector together', () => {
    jest.isolateModules(() => {
      const actual = jest.requireActual('../lib/constants');
      jest.doMock('../lib/constants', () => ({
        ...actual,
        HOMEPAGE_POD_LABELS: { app: 'signup-renamed', component: 'front' },
        SLEEP_POD_LABELS: { app: 'shell' },
      }));
      const { objectsOf: renderMocked } = require('./support');
      const changed: K8sObject[] = renderMocked();
      const changedHomepage = theObject(changed, 'Deployment', HOMEPAGE_NAME);
      const changedSleep = theObject(changed, 'Deployment', SLEEP_NAME);
      const changedService = theObject(changed, 'Service', HOMEPAGE_NAME);
      const front = { app: 'signup-renamed', component: 'front' };
      expect(podLabels(changedHomepage)).toEqual(front);
      expect(changedHomepage.spec.selector.matchLabels).toEqual(front);
      expect(changedService.spec.selector).toEqual(front);
      expect(podLabels(changedSleep)).toEqual({ app: 'shell' });
      expect(changedSleep.spec.selector.matchLabels).toEqual({ app: 'shell' });
    });
    jest.dontMock('../lib/constants');
  });
});

// The workshop's values live in lib/constants.ts and in the snapshots; these tests check that each
// reaches its place in the manifests, whatever it is.
describe('the constants reach the manifests', () => {
  test('homepage: one container of the homepage image serving HTTP_PORT, on Linux nodes', () => {
    expect(homepage.metadata).toEqual({ name: HOMEPAGE_NAME });
    expect(homepage.spec.replicas).toBe(DEFAULT_REPLICAS);
    expect(homepage.spec.template.metadata.annotations).toEqual(HOMEPAGE_POD_ANNOTATIONS);
    expect(podSpec(homepage).nodeSelector).toEqual(LINUX_NODE_SELECTOR);
    expect(podSpec(homepage).containers).toHaveLength(1);
    const [container] = podSpec(homepage).containers;
    expect(container.name).toBe(HOMEPAGE_NAME);
    expect(container.image).toBe(HOMEPAGE_IMAGE);
    expect(container.ports).toEqual([{ containerPort: HTTP_PORT.number, name: HTTP_PORT.name }]);
  });

  test('homepage Service: ClusterIP, one port with the number and name of HTTP_PORT', () => {
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([
      { name: HTTP_PORT.name, port: HTTP_PORT.number, targetPort: HTTP_PORT.number },
    ]);
  });

  test('sleep: one container of the sleep image, labelled as the workshop labels it, on any node', () => {
    expect(sleep.metadata).toEqual({ name: SLEEP_NAME, labels: SLEEP_DEPLOYMENT_LABELS });
    expect(sleep.spec.replicas).toBe(DEFAULT_REPLICAS);
    expect(podSpec(sleep).containers.map((c: K8sObject) => [c.name, c.image])).toEqual([[SLEEP_NAME, SLEEP_IMAGE]]);
    // The workshop's sleep.yml selects no node; only the homepage image is the Linux variant.
    expect(podSpec(sleep).nodeSelector).toBeUndefined();
  });
});

describe('replicas', () => {
  test.each([0, 1, 3, 10, MAX_REPLICAS])('homepage replicas %i reach the manifest', (replicas) => {
    expect(theObject(objectsOf({ homepage: { replicas } }), 'Deployment', HOMEPAGE_NAME).spec.replicas).toBe(replicas);
  });

  test.each([0, 3])('sleep replicas %i reach the manifest', (replicas) => {
    expect(theObject(objectsOf({ sleep: { replicas } }), 'Deployment', SLEEP_NAME).spec.replicas).toBe(replicas);
  });

  test('changing homepage replicas changes only spec.replicas in homepage-pod.yml', () => {
    const before = renderWorkshop();
    const after = renderWorkshop({ homepage: { replicas: 3 } });
    expect(after.map((m) => m.file)).toEqual(before.map((m) => m.file));
    const changed = after.filter((m, i) => m.yaml !== before[i].yaml).map((m) => m.file);
    expect(changed).toEqual(['homepage-pod.yml']);
    const beforeLines = before[0].yaml.split('\n');
    const differing = after[0].yaml
      .split('\n')
      .map((line, i) => [beforeLines[i], line])
      .filter(([was, is]) => was !== is);
    expect(differing).toEqual([['  replicas: 1', '  replicas: 3']]);
  });

  test.each([
    [-1, '-1'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [MAX_REPLICAS + 1, '21'],
    [-0, '-0'],
    [null as unknown as number, 'null'],
  ])('homepage replicas %p are refused, naming the construct and the value', (replicas, shown) => {
    expect(() => renderWorkshop({ homepage: { replicas } })).toThrow(
      `HomepageDeployment 'homepage-pod/homepage': prop 'replicas' must be a whole number from 0 to ${MAX_REPLICAS}, got ${shown}`,
    );
  });

  test('a null image or null Pod labels are refused, not replaced by the defaults', () => {
    expect(() => renderWorkshop({ sleep: { image: null as unknown as string } })).toThrow(
      /^SleepDeployment 'sleep\/sleep': prop 'image' .* got null$/,
    );
    expect(() => renderWorkshop({ homepage: { podLabels: null as unknown as Record<string, string> } })).toThrow(
      /^HomepageDeployment 'homepage-pod\/homepage': prop 'podLabels' must hold at least one label, got null$/,
    );
  });

  test('sleep replicas are checked too', () => {
    expect(() => renderWorkshop({ sleep: { replicas: -2 } })).toThrow(
      /^SleepDeployment 'sleep\/sleep': prop 'replicas' .* got -2$/,
    );
  });
});
