import * as fs from 'node:fs';
import * as path from 'node:path';
import { runValidateCommand } from '../checker/command';
import { inScratchFolder } from './scratch';

/**
 * The checker agrees with Kubernetes on real manifests: each example of issue 17, by its kind of
 * fault. The differential tests (yaml-reading, api-server-agreement) hold the general rule; these
 * hold the examples a user met.
 */

/** What `npm run validate -- DIR` prints for a folder of these files (name → text or bytes). */
function validateFolder(files: Record<string, string | Buffer>, settings: { defaultDir?: string } = {}) {
  return inScratchFolder('agreement-', (dir) => {
    const folder = path.join(dir, 'manifests');
    fs.mkdirSync(folder);
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(folder, name), content);
    }
    const lines: string[] = [];
    const code = runValidateCommand(
      ['manifests'],
      { out: (line) => lines.push(line), err: (line) => lines.push(line) },
      { cwd: dir, ...settings },
    );
    return {
      code,
      lines,
      errors: lines.filter((l) => l.startsWith('error:')),
      warnings: lines.filter((l) => l.startsWith('warning:')),
    };
  });
}

const deployment = (containers: string, labels = 'app: web') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
      containers:
${containers}`;

describe('A. YAML is read as kubectl reads it', () => {
  test.each([
    ['a label', 'metadata.labels.canary'],
    ['a nodeSelector', 'nodeSelector.disk'],
    ['an env value', 'env[0].value'],
    ['a command argument', 'args[0]'],
  ])('a boolean word in a string field (%s) is a boolean, refused where a string is wanted', (_name, field) => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    canary: ${field === 'metadata.labels.canary' ? 'no' : 'stable'}
spec:
  nodeSelector:
    disk: ${field === 'nodeSelector.disk' ? 'yes' : 'ssd'}
  containers:
    - name: web
      image: nginx:1.25
      args:
        - ${field === 'args[0]' ? 'on' : 'serve'}
      env:
        - name: X
          value: ${field === 'env[0].value' ? 'on' : 'x'}
`;
    const { code, errors } = validateFolder({ 'pod.yaml': pod });
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain(field);
    expect(errors.join('\n')).toContain('must be string, got boolean');
    expect(errors.join('\n')).toContain('quote the value to keep it text');
  });

  test('a merge key expands into the mapping, as kubectl expands it', () => {
    const containers = `        - &first
          name: first
          image: nginx:1.25
        - <<: *first
          name: second
`;
    const { code, lines } = validateFolder({ 'web.yaml': deployment(containers) });
    expect(lines.filter((l) => !l.includes('0 errors'))).toEqual([]);
    expect(code).toBe(0);
  });

  test('a UTF-16 file with a byte-order mark is read, as kubectl reads it', () => {
    const text = deployment('        - name: web\n          image: nginx:1.25\n');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replaceAll('\n', '\r\n'), 'utf16le')]);
    const { code, lines } = validateFolder({ 'web.yaml': utf16 });
    expect(lines).toEqual(['manifests: 1 file, 1 object: 0 errors, 0 warnings']);
    expect(code).toBe(0);
  });

  test('a key written twice with the same value is a warning naming both lines', () => {
    const text = deployment('        - name: web\n          image: nginx:1.25\n').replace(
      'spec:\n  selector:\n    matchLabels:\n      app: web\n',
      'spec:\n  selector:\n    matchLabels:\n      app: web\n  selector:\n    matchLabels:\n      app: web\n',
    );
    const { code, warnings, errors } = validateFolder({ 'web.yaml': text });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'warning: manifests/web.yaml:9: Deployment/web: [yaml] key "selector" is written twice, at lines 6 and 9, with the same value',
    ]);
    expect(code).toBe(0);
  });
});

const service = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
${spec}`;

describe('B. names and ports are validated as the API server validates them', () => {
  test.each([
    [
      'a container port name of 16 characters',
      deployment(
        '        - name: web\n          image: nginx:1.25\n          ports:\n            - containerPort: 80\n              name: http-web-service\n',
      ),
      'containers[0].ports[0].name: [ports] "http-web-service" is not a valid port name: must be no more than 15 characters',
    ],
    [
      'a Service targetPort name of 16 characters',
      service('  ports:\n    - port: 80\n      targetPort: http-web-service\n'),
      'spec.ports[0].targetPort: [ports] "http-web-service" is not a valid port name',
    ],
    [
      'a Service port name in upper case',
      service('  ports:\n    - name: TCP-8080\n      port: 80\n'),
      'spec.ports[0].name: [ports] "TCP-8080" must be a DNS-1123 label',
    ],
    [
      'a quoted number as targetPort, which is a port name',
      service('  ports:\n    - port: 80\n      targetPort: "9376"\n'),
      'spec.ports[0].targetPort: [ports] "9376" is not a valid port name: must contain at least one letter (a-z): a quoted number is a port name, not a number',
    ],
  ])('%s is refused', (_name, text, expected) => {
    const { code, errors } = validateFolder({ 'x.yaml': text });
    expect(errors.join('\n')).toContain(expected);
    expect(code).toBe(1);
  });

  test.each([
    ['ClusterRole', 'system:aggregated-reader'],
    ['ClusterRole', 'logReader'],
    ['ClusterRoleBinding', 'system:aggregated-reader'],
    ['Role', 'logReader'],
  ])('an RBAC object (%s) named %s, a valid path segment, is accepted', (kind, name) => {
    const roleRef = kind.endsWith('Binding')
      ? `roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ${name}\n`
      : '';
    const text = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${roleRef}`;
    const { lines } = validateFolder({ 'rbac.yaml': text });
    expect(lines.filter((l) => l.includes('[names]'))).toEqual([]);
  });

  test('an RBAC name with a slash is refused, naming the rule', () => {
    const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: a/b\n';
    expect(validateFolder({ 'rbac.yaml': text }).errors.join('\n')).toContain(`[names] "a/b" may not contain '/'`);
  });
});

const withPorts = (ports: string) => `        - name: web\n          image: nginx:1.25\n${ports}`;

describe('C. Services are wired as Kubernetes wires them', () => {
  test('a ReplicationController selector is a label map, and it counts', () => {
    const rc = `apiVersion: v1
kind: ReplicationController
metadata:
  name: guestbook
spec:
  replicas: 1
  selector:
    app: guestbook
  template:
    metadata:
      labels:
        app: guestbook
    spec:
      containers:
        - name: web
          image: nginx:1.25
          ports:
            - containerPort: 80
`;
    const svc = service('  selector:\n    app: guestbook\n  ports:\n    - port: 80\n');
    const { code, errors, lines } = validateFolder({ 'rc.yaml': rc, 'svc.yaml': svc });
    expect(errors).toEqual([]);
    expect(lines).toContain('Service/web selects app=guestbook: the Pods of ReplicationController/guestbook');
    expect(code).toBe(0);
    const mismatched = validateFolder({
      'rc.yaml': rc.replace('  selector:\n    app: guestbook', '  selector:\n    app: other'),
    });
    expect(mismatched.errors.join('\n')).toContain('spec.selector.app: [wiring] selects app=other');
  });

  test('a numeric targetPort on containers that declare no ports is a warning, worded as such', () => {
    const { code, warnings, errors } = validateFolder({
      'web.yaml': deployment(withPorts('')),
      'svc.yaml': service('  selector:\n    app: web\n  ports:\n    - port: 80\n'),
    });
    expect(errors).toEqual([]);
    expect(warnings.join('\n')).toContain('declare no ports; Kubernetes sends the traffic to port 80 all the same');
    expect(code).toBe(0);
  });

  test('a numeric targetPort that none of the declared ports has stays an error', () => {
    const { code, errors } = validateFolder({
      'web.yaml': deployment(withPorts('          ports:\n            - containerPort: 8080\n')),
      'svc.yaml': service('  selector:\n    app: web\n  ports:\n    - port: 80\n'),
    });
    expect(errors.join('\n')).toContain('80 is not a container port of Deployment/web');
    expect(code).toBe(1);
  });

  test('a named targetPort must be declared with that name and the Service port protocol', () => {
    const web = deployment(
      withPorts(
        '          ports:\n            - containerPort: 53\n              name: dns\n              protocol: UDP\n',
      ),
    );
    const tcp = validateFolder({
      'web.yaml': web,
      'svc.yaml': service('  selector:\n    app: web\n  ports:\n    - port: 53\n      targetPort: dns\n'),
    });
    expect(tcp.errors.join('\n')).toContain(
      '"dns" is declared by Deployment/web for UDP, but this Service port is TCP',
    );
    const udp = validateFolder({
      'web.yaml': web,
      'svc.yaml': service(
        '  selector:\n    app: web\n  ports:\n    - port: 53\n      protocol: UDP\n      targetPort: dns\n',
      ),
    });
    expect(udp.errors).toEqual([]);
  });

  test('a Service with no selector is not wired by labels', () => {
    const { code, lines } = validateFolder({
      'svc.yaml': service('  ports:\n    - port: 80\n      targetPort: 9376\n'),
    });
    expect(lines).toEqual(['manifests: 1 file, 1 object: 0 errors, 0 warnings']);
    expect(code).toBe(0);
  });
});

describe("D. the workshop's rules stay with the workshop", () => {
  const replicas = (count: number) =>
    deployment(withPorts('')).replace('spec:\n  selector', `spec:\n  replicas: ${count}\n  selector`);

  test('any folder but the project own gets the API server replica range, not the workshop one', () => {
    const settings = { defaultDir: 'dist', replicas: { min: 0, max: 20 } };
    const inFolder = inScratchFolder('own-', (dir) => {
      fs.mkdirSync(path.join(dir, 'dist'));
      fs.writeFileSync(path.join(dir, 'dist', 'web.yaml'), replicas(50));
      const lines: string[] = [];
      const code = runValidateCommand(
        [],
        { out: (l) => lines.push(l), err: (l) => lines.push(l) },
        { cwd: dir, ...settings },
      );
      return { code, lines };
    });
    expect(inFolder.lines.join('\n')).toContain('[values] must be a whole number from 0 to 20, got 50');
    const elsewhere = inScratchFolder('user-', (dir) => {
      fs.mkdirSync(path.join(dir, 'manifests'));
      fs.writeFileSync(path.join(dir, 'manifests', 'web.yaml'), replicas(50));
      const lines: string[] = [];
      const code = runValidateCommand(
        ['manifests'],
        { out: (l) => lines.push(l), err: (l) => lines.push(l) },
        { cwd: dir, ...settings },
      );
      return { code, lines };
    });
    expect(elsewhere.lines.filter((l) => l.includes('[values]'))).toEqual([]);
    expect(elsewhere.code).toBe(0);
  });

  test('a name that is not a string is named as such, not as [object Object]', () => {
    const text = service('  ports:\n    - port: 80\n').replace('  name: web', '  name: {a: 1}');
    const { errors } = validateFolder({ 'svc.yaml': text });
    expect(errors.join('\n')).not.toContain('[object Object]');
    expect(errors.join('\n')).toContain(
      'Service/<not a string: {"a":1}>: metadata.name: [names] must be a string, got {"a":1}',
    );
  });

  test('one object in two files of a user folder is a warning; in one file, or in the project own folder, an error', () => {
    const sleep = deployment(withPorts(''));
    const alternatives = validateFolder({ 'sleep.yaml': sleep, 'sleep-with-env.yaml': sleep });
    expect(alternatives.errors).toEqual([]);
    expect(alternatives.warnings.join('\n')).toContain('[duplicate] Deployment/web is also defined in');
    const oneFile = validateFolder({ 'sleep.yaml': `${sleep}---\n${sleep}` });
    expect(oneFile.errors.join('\n')).toContain('[duplicate] Deployment/web is already defined in');
    const own = validateFolder({ 'sleep.yaml': sleep, 'sleep-with-env.yaml': sleep }, { defaultDir: 'manifests' });
    expect(own.errors.join('\n')).toContain('[duplicate] Deployment/web is already defined in');
  });
});

describe('C. a quoted number as targetPort on a Service with a selector', () => {
  test('is refused as a port name, and the wiring finding says why the container port does not answer', () => {
    const { errors } = validateFolder({
      'web.yaml': deployment(withPorts('          ports:\n            - containerPort: 1555\n')),
      'svc.yaml': service('  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: "1555"\n'),
    });
    expect(errors.join('\n')).toContain('[ports] "1555" is not a valid port name');
    expect(errors.join('\n')).toContain(
      'declares a port named "1555"; its containers offer 1555 (a quoted number is a port name: write 1555 without quotes for the port number)',
    );
  });
});

describe('C. a ReplicationController without a selector', () => {
  const rc = (labels: string) =>
    `apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: agent\nspec:\n  template:\n    metadata:\n${labels}    spec:\n      containers:\n        - name: agent\n          image: sysdig/agent\n`;

  test('takes its selector from the template labels, as the API server defaults it', () => {
    expect(validateFolder({ 'rc.yaml': rc('      labels:\n        app: agent\n') }).errors).toEqual([]);
  });

  test('is refused when the template has no labels to take it from', () => {
    expect(validateFolder({ 'rc.yaml': rc('      name: x\n') }).errors.join('\n')).toContain(
      'spec.selector: [wiring] is required: the Pod template has no labels to take it from',
    );
  });
});
