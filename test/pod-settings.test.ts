import { defaultImagePullPolicy } from '../lib/workshop-deployment';
import { type K8sObject, objectsOf } from './support';

const deployments = objectsOf().filter((o) => o.kind === 'Deployment');
const containersOf = (d: K8sObject): K8sObject[] => d.spec.template.spec.containers;
const byName = (name: string) => deployments.find((d) => d.metadata.name === name)!;

// Quantities as the manifests spell them: "50m" CPU, "32Mi" memory.
const millicores = (cpu: string) => Number(/^(\d+)m$/.exec(cpu)![1]);
const mebibytes = (memory: string) => Number(/^(\d+)Mi$/.exec(memory)![1]);

describe.each(deployments.map((d) => [d.metadata.name, d]))('Deployment %s', (_, deployment) => {
  const pod = deployment.spec.template.spec;

  test('either enforces a non-root user and group, or leaves the image its own user; never false or root', () => {
    expect(pod.securityContext).toBeUndefined();
    for (const container of containersOf(deployment)) {
      const { runAsNonRoot, runAsUser, runAsGroup } = container.securityContext;
      if (runAsNonRoot === undefined) {
        expect([runAsUser, runAsGroup]).toEqual([undefined, undefined]);
      } else {
        expect(runAsNonRoot).toBe(true);
        expect(runAsUser).toBeGreaterThan(0);
        expect(runAsGroup).toBeGreaterThan(0);
      }
    }
  });

  test('runs images loaded into the cluster without pulling them, written only where the API default differs', () => {
    for (const container of containersOf(deployment)) {
      const effective = container.imagePullPolicy ?? defaultImagePullPolicy(container.image);
      expect(effective).toBe('IfNotPresent');
      expect(container.imagePullPolicy === undefined).toBe(defaultImagePullPolicy(container.image) === 'IfNotPresent');
    }
  });

  test('is hardened as far as the images allow', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBeUndefined();
    for (const container of containersOf(deployment)) {
      expect(container.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(container.securityContext.privileged).toBeUndefined();
      expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    }
  });

  test('sets requests and limits, with requests no larger than limits', () => {
    for (const { resources } of containersOf(deployment)) {
      expect(millicores(resources.requests.cpu)).toBeLessThanOrEqual(millicores(resources.limits.cpu));
      expect(mebibytes(resources.requests.memory)).toBeLessThanOrEqual(mebibytes(resources.limits.memory));
    }
  });
});

test('nginx keeps a writable root filesystem and only the capabilities it needs as root', () => {
  const [nginx] = containersOf(byName('homepage'));
  // Unset is the API's false: the root filesystem stays writable.
  expect(nginx.securityContext.readOnlyRootFilesystem).toBeUndefined();
  expect([...nginx.securityContext.capabilities.add].sort()).toEqual([
    'CHOWN',
    'DAC_OVERRIDE',
    'NET_BIND_SERVICE',
    'SETGID',
    'SETUID',
  ]);
});

test('the sleep shell runs with a read-only root filesystem and no capabilities', () => {
  const [shell] = containersOf(byName('sleep'));
  expect(shell.securityContext.readOnlyRootFilesystem).toBe(true);
  expect(shell.securityContext.capabilities.add).toBeUndefined();
});

test('three homepage replicas and the sleep Pod request under a quarter of a 2-CPU cluster', () => {
  const scaled = objectsOf({ homepage: { replicas: 3 } }).filter((o) => o.kind === 'Deployment');
  const requested = (pick: (r: K8sObject) => number) =>
    scaled
      .flatMap((d) => containersOf(d).map((c) => d.spec.replicas * pick(c.resources.requests)))
      .reduce((a, b) => a + b, 0);
  expect(requested((r) => millicores(r.cpu))).toBeLessThanOrEqual(500);
  expect(requested((r) => mebibytes(r.memory))).toBeLessThanOrEqual(512);
});

test('no field holds an empty value the API server would drop, so re-applying reports "unchanged"', () => {
  const dropped: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value) && value.length === 0) {
      dropped.push(at);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        walk(child, `${at}.${key}`);
      }
    }
  };
  const objects = objectsOf();
  for (const o of objects) {
    walk(o, `${o.kind}/${o.metadata.name}`);
  }
  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    if (deployment.spec.minReadySeconds === 0) dropped.push(`${deployment.metadata.name}.spec.minReadySeconds`);
    if (deployment.spec.template.spec.hostNetwork === false) dropped.push(`${deployment.metadata.name}.hostNetwork`);
  }
  expect(dropped).toEqual([]);
});

// Fields cdk8s-plus-27 writes with the value the API server would give them anyway. Listed by
// where they appear in the synthesized output, so a patch that silently misses one fails here.
test.each([
  'spec.progressDeadlineSeconds',
  'spec.strategy',
  'spec.minReadySeconds',
  'spec.template.spec.dnsPolicy',
  'spec.template.spec.restartPolicy',
  'spec.template.spec.setHostnameAsFQDN',
  'spec.template.spec.terminationGracePeriodSeconds',
  'spec.template.spec.securityContext',
  'spec.template.spec.containers.0.securityContext.privileged',
  'spec.template.spec.containers.0.readinessProbe.failureThreshold',
])('no Deployment writes the API default %s', (field) => {
  const at = (object: K8sObject) => field.split('.').reduce<any>((node, key) => node?.[key], object);
  expect(deployments.filter((d) => at(d) !== undefined).map((d) => d.metadata.name)).toEqual([]);
});

test.each([
  ['dak4dotnet/sleep', 'Always'],
  ['nginx:latest', 'Always'],
  ['registry:5000/team/app', 'Always'],
  ['dak4dotnet/homepage-nginx:linux', 'IfNotPresent'],
  ['registry:5000/app:1.2', 'IfNotPresent'],
  ['app@sha256:0123', 'IfNotPresent'],
])('the API server defaults the pull policy of %s to %s', (image, policy) => {
  expect(defaultImagePullPolicy(image)).toBe(policy);
});
