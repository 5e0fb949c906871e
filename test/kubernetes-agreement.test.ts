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
