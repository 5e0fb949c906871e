import { K8sObject, objectsOf } from './support';

const deployments = objectsOf().filter((o) => o.kind === 'Deployment');
const containersOf = (d: K8sObject): K8sObject[] => d.spec.template.spec.containers;
const byName = (name: string) => deployments.find((d) => d.metadata.name === name)!;

// Quantities as the manifests spell them: "50m" CPU, "32Mi" memory.
const millicores = (cpu: string) => Number(/^(\d+)m$/.exec(cpu)![1]);
const mebibytes = (memory: string) => Number(/^(\d+)Mi$/.exec(memory)![1]);

describe.each(deployments.map((d) => [d.metadata.name, d]))('Deployment %s', (_, deployment) => {
  const pod = deployment.spec.template.spec;

  test('lets the root-running workshop images start', () => {
    expect(pod.securityContext.runAsNonRoot).not.toBe(true);
    for (const container of containersOf(deployment)) {
      expect(container.securityContext.runAsNonRoot).not.toBe(true);
    }
  });

  test('runs images loaded into the cluster without pulling them', () => {
    for (const container of containersOf(deployment)) {
      expect(container.imagePullPolicy).toBe('IfNotPresent');
    }
  });

  test('is hardened as far as the images allow', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    for (const container of containersOf(deployment)) {
      expect(container.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false });
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
  expect(nginx.securityContext.readOnlyRootFilesystem).toBe(false);
  expect([...nginx.securityContext.capabilities.add].sort()).toEqual(
    ['CHOWN', 'DAC_OVERRIDE', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']);
});

test('the sleep shell runs with a read-only root filesystem and no capabilities', () => {
  const [shell] = containersOf(byName('sleep'));
  expect(shell.securityContext.readOnlyRootFilesystem).toBe(true);
  expect(shell.securityContext.capabilities.add).toBeUndefined();
});

test('three homepage replicas and the sleep Pod request under a quarter of a 2-CPU cluster', () => {
  const scaled = objectsOf({ homepage: { replicas: 3 } }).filter((o) => o.kind === 'Deployment');
  const requested = (pick: (r: K8sObject) => number) => scaled
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
      Object.entries(value).forEach(([key, child]) => walk(child, `${at}.${key}`));
    }
  };
  const objects = objectsOf();
  objects.forEach((o) => walk(o, `${o.kind}/${o.metadata.name}`));
  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    if (deployment.spec.minReadySeconds === 0) dropped.push(`${deployment.metadata.name}.spec.minReadySeconds`);
    if (deployment.spec.template.spec.hostNetwork === false) dropped.push(`${deployment.metadata.name}.hostNetwork`);
  }
  expect(dropped).toEqual([]);
});
