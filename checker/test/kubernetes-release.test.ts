import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { latestPatchModule, releaseName } from '../kubernetes-release';
import { runCommand } from './run-command';

const fixtures = path.join(__dirname, 'fixtures');
const hasGo = spawnSync('go', ['version']).status === 0;
const SIDECAR_REFUSED =
  'error: releases/sidecar.yaml: Pod/sidecar: spec.initContainers[0].restartPolicy: [schema] is not a field of this object (unknown field)';

describe('--kubernetes-version', () => {
  test('1.27, the default, is read offline and refuses a Pod field added after it, naming the field', () => {
    const run = runCommand(['releases'], fixtures);
    expect(run.code).toBe(1);
    expect(run.err[0]).toBe(SIDECAR_REFUSED);
    expect(runCommand(['releases', '--kubernetes-version', '1.27'], fixtures).err[0]).toBe(SIDECAR_REFUSED);
  });

  (hasGo ? test : test.skip)(
    '1.33, fetched through the Go module proxy once and cached, accepts it',
    () => {
      expect(runCommand(['releases', '--kubernetes-version', '1.33'], fixtures)).toEqual({
        code: 0,
        out: ['releases: 1 file, 1 object: 0 errors, 0 warnings'],
        err: [],
      });
      expect(latestPatchModule('1.33')).toMatch(/^k8s\.io\/kubernetes@v1\.33\.\d+$/);
      expect(() => latestPatchModule('1.99')).toThrow(
        /^Kubernetes 1\.99: the k8s\.io\/kubernetes module provides no such release \(it provides .*1\.33/,
      );
    },
    300_000,
  );

  (hasGo ? test : test.skip)(
    'with Go that cannot reach the module proxy, the error says so instead of "Install Go"',
    () => {
      const before = process.env.GOPROXY;
      process.env.GOPROXY = 'off';
      try {
        expect(() => latestPatchModule('1.31')).toThrow(
          /^the Kubernetes 1\.31 API schema is not cached and cannot be fetched: go list -m -versions k8s\.io\/kubernetes: .*GOPROXY=off.*\. Check that Go can reach the Go module proxy \(GOPROXY\), or give --openapi FILE/,
        );
      } finally {
        if (before === undefined) {
          delete process.env.GOPROXY;
        } else {
          process.env.GOPROXY = before;
        }
      }
    },
  );

  test('--openapi reads a release from its OpenAPI document; a file that is none is named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    try {
      const committed = JSON.parse(
        fs.readFileSync(path.join(__dirname, '..', 'kubernetes-api', 'v1.27.16.json'), 'utf8'),
      );
      const container = committed.definitions['io.k8s.api.core.v1.Container'];
      container.properties.restartPolicy = { type: 'string' };
      fs.writeFileSync(path.join(dir, 'swagger.json'), JSON.stringify(committed));
      const withField = runCommand(
        ['releases', '--openapi', path.join(dir, 'swagger.json'), '--kubernetes-version', '1.28'],
        fixtures,
      );
      expect(withField.code).toBe(0);
      fs.writeFileSync(path.join(dir, 'other.json'), '{"openapi": "3.0.0"}');
      expect(runCommand(['releases', '--openapi', path.join(dir, 'other.json')], fixtures)).toMatchObject({
        code: 2,
        err: [`${path.join(dir, 'other.json')}: not an OpenAPI v2 document (it has no "definitions")`],
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('takes 1.N, v1.N and 1.N.P, and names what it does not take', () => {
    expect(['1.33', 'v1.33', '1.33.2'].map(releaseName)).toEqual(['1.33', '1.33', '1.33']);
    expect(() => releaseName('2.0')).toThrow('--kubernetes-version "2.0": not a Kubernetes release such as 1.27');
  });
});

describe('every finding at once', () => {
  test('an unknown field hides neither the missing image nor the bad image reference of another container', () => {
    const run = runCommand(['every-finding.yaml'], fixtures);
    expect(run.err.slice(0, -1)).toEqual([
      'error: every-finding.yaml: Deployment/web: spec.template.spec.containers[0].imagePullPolcy: [schema] is not a field of this object (unknown field)',
      'error: every-finding.yaml: Deployment/web: spec.template.spec.containers[0].image: [schema] is required',
      expect.stringMatching(
        /^error: every-finding\.yaml: Deployment\/web: spec\.template\.spec\.containers\[1\]\.image: \[values\] /,
      ),
    ]);
  });
});
