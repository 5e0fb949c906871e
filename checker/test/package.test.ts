import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inScratchFolder } from '../../test/scratch';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'node_modules', '.bin');

/** A cdk8s app as the TypeScript template lays it out: a Deployment, its Service and an Ingress in front. */
const mainTs = (selector: string, backend: string) => `import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';

export class Web extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const labels = { app: 'web' };
    new ApiObject(this, 'deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
        },
      },
    });
    const service = new ApiObject(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      spec: { selector: { app: '${selector}' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    new ApiObject(this, 'ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      spec: { defaultBackend: { service: { name: ${backend}, port: { number: 80 } } } },
    });
  }
}

const app = new App();
new Web(app, 'web');
app.synth();
`;

const CDK8S_YAML = `language: typescript
app: ts-node main.ts
validations:
  - package: ./node_modules/@k8s-101/manifest-checker
    class: ManifestCheckerValidation
    version: 0.1.0
    properties:
      kubernetesVersion: "1.27"
`;

/** The API by the package's name, type-checked by ts-node against the declarations it ships. */
const CHECK_TS = `import { type Finding, ManifestChecker, readManifestFile } from '@k8s-101/manifest-checker';

const checker = new ManifestChecker({ missingSchema: 'error' });
readManifestFile('dist/web.k8s.yaml', 'dist/web.k8s.yaml', {
  document: (doc) => checker.check(doc),
  finding: (finding) => checker.addReadFinding(finding),
});
const findings: Finding[] = checker.finish().findings;
console.log(findings.map((finding) => \`\${finding.severity} \${finding.rule} \${finding.object}\`).join('\\n'));
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'ES2020', module: 'CommonJS', strict: true, types: ['node'], skipLibCheck: true },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
});

/**
 * The packed checker in an app of its own: `npm pack` gives the tarball, npm installs it (and
 * only it: cdk8s, constructs and ts-node are linked from this project, in the folder above the
 * app, where Node finds them), and the real `cdk8s synth` runs the plugin.
 */
describe('the packed checker, installed into a cdk8s app', () => {
  test('cdk8s synth reports a Service selecting nothing and an Ingress naming a missing Service with construct paths and remediations, and passes the fixed app; the command and the typed API work by the package name', () => {
    inScratchFolder('checker-package-', (scratch) => {
      const [{ filename }] = JSON.parse(
        execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
          cwd: path.join(root, 'checker'),
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      fs.mkdirSync(path.join(scratch, 'node_modules', '@types'), { recursive: true });
      for (const linked of ['cdk8s', 'constructs', 'ts-node', 'typescript', '@types/node']) {
        fs.symlinkSync(path.join(root, 'node_modules', linked), path.join(scratch, 'node_modules', linked));
      }
      const app = path.join(scratch, 'app');
      fs.mkdirSync(app);
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
      execFileSync(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(scratch, filename)],
        { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      fs.writeFileSync(path.join(app, 'cdk8s.yaml'), CDK8S_YAML);
      fs.writeFileSync(path.join(app, 'tsconfig.json'), TSCONFIG);
      const synth = () =>
        // No upgrade check: it asks the npm registry for the latest cdk8s-cli.
        spawnSync(path.join(bin, 'cdk8s'), ['synth', '--check-upgrade', 'false'], {
          cwd: app,
          encoding: 'utf8',
          env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
          timeout: 120_000,
        });

      fs.writeFileSync(path.join(app, 'main.ts'), mainTs('wbe', "'api'"));
      const broken = synth();
      const report = broken.stdout + broken.stderr;
      expect({ status: broken.status, listed: fs.readdirSync(path.join(app, 'dist')) }).toEqual({
        status: 2,
        listed: ['construct-metadata.json', 'web.k8s.yaml'],
      });
      // The report as the checker's README shows it, colours left out.
      const readme = fs.readFileSync(path.join(root, 'checker', 'README.md'), 'utf8');
      const shown = readme.split('<!-- plugin-report:')[1].split('```text\n')[1].split('```')[0];
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes of the CLI's report
      expect(report.replace(/\x1b\[[0-9;]*m/g, '')).toContain(shown);
      expect(report).toMatch(
        /wiring \(1 occurrences\)[\s\S]*Construct Path: web\/service[\s\S]*Service\/web-service-\w+: spec\.selector[\s\S]*Recommendation: selects no Pods[\s\S]*How to fix: make the selector's labels those of the Pod template/,
      );
      expect(report).toMatch(
        /ingress-backend \(warning\) \(1 occurrences\)[\s\S]*Construct Path: web\/ingress[\s\S]*Recommendation: Service "api" is not in the set[\s\S]*How to fix: name a Service of the app in the backend/,
      );

      // The command, on the folder cdk8s wrote (its construct-metadata.json left out), and the typed API.
      const command = spawnSync(path.join(app, 'node_modules', '.bin', 'manifest-checker'), ['dist', '-o', 'json'], {
        cwd: app,
        encoding: 'utf8',
      });
      expect({ status: command.status, summary: JSON.parse(command.stdout).summary }).toEqual({
        status: 1,
        summary: { checked: 'dist', files: 1, objects: 3, errors: 1, warnings: 1 },
      });
      fs.writeFileSync(path.join(app, 'check.ts'), CHECK_TS);
      expect(execFileSync(path.join(bin, 'ts-node'), ['check.ts'], { cwd: app, encoding: 'utf8' })).toMatch(
        /^error wiring Service\/web-service-\w+\nwarning ingress-backend Ingress\/web-ingress-\w+\n$/,
      );

      fs.writeFileSync(path.join(app, 'main.ts'), mainTs('web', 'service.name'));
      const fixed = synth();
      expect({ status: fixed.status, stderr: fixed.stderr }).toEqual({ status: 0, stderr: '' });
      expect(fixed.stdout).toContain('Validations ended succesfully');
    });
  }, 240_000);
});
