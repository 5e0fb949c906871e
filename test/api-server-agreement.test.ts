import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResourceSchemas } from '../checker/custom-resources';
import { kubernetesSchema } from '../checker/schema';
import { checkObjectAlone } from '../checker/validate';
import { type LocalPlane, startLocalPlane } from '../e2e/local-plane';
import { apiServerMutations, baseObjects, type Mutation } from './api-server-mutations';
import { REFERENCE_REQUIRED } from './kubectl-reference';
import { inScratchFolder } from './scratch';

/**
 * The checker's verdict on an object alone must be the real API server's: a test generates
 * mutations of valid objects (names, ports, targetPorts, labels, selectors, types, unknown fields)
 * and sends all of them through `kubectl apply --dry-run=server --validate=strict` to the local
 * control plane (e2e/cluster: kube-apiserver and etcd, no containers), one kubectl run for the lot.
 * It starts a control plane, so it runs only when asked: CHECKER_API_SERVER_TEST=1 (CI sets
 * `required`, which fails the test where it cannot run).
 */
const MUTATIONS = 2400;
const root = path.resolve(__dirname, '..');
const plane = path.join(root, 'e2e/cluster/bin/localplane');
const asked = process.env.CHECKER_API_SERVER_TEST;
const skipReason = !asked
  ? 'set CHECKER_API_SERVER_TEST=1 to run it (it starts the local control plane; CI runs it)'
  : !fs.existsSync(plane)
    ? 'the local control plane is not built: run e2e/cluster/build.sh'
    : undefined;
if (skipReason && (asked === 'required' || (REFERENCE_REQUIRED && asked))) {
  throw new Error(`the API server differential test is required but ${skipReason}`);
}

/**
 * Mutations whose verdicts differ for a stated reason, left out of the comparison and listed in
 * checker/README.md. The API server does not validate a StatefulSet's Pod template when the
 * StatefulSet is created (apps/validation ValidatePodTemplateSpecForStatefulSet leaves it to the
 * Pods); the checker checks its ports as a Pod's, because every Pod the StatefulSet makes would be
 * refused.
 */
const OUT_OF_SCOPE: ReadonlyArray<{ readonly reason: string; readonly applies: (mutation: Mutation) => boolean }> = [
  {
    reason: "the ports of a StatefulSet's Pod template",
    applies: (mutation) => mutation.object.kind === 'StatefulSet' && mutation.rule === 'ports',
  },
];

/** The sentence of checker/README.md that reports the agreement. */
const agreementSentence = (objects: number, compared: number, excluded: number) =>
  `On ${objects.toLocaleString('en')} objects (the valid ones and ${MUTATIONS.toLocaleString('en')} mutations of them), ` +
  `the checker's verdict is the API server's on all ${compared.toLocaleString('en')} it claims to check; ` +
  `${excluded} are out of scope: ${OUT_OF_SCOPE.map((scope) => scope.reason).join('; ')}.`;

/** The files the server refused, from kubectl's messages, which name the file of each object. */
function refusedBy(kubeconfig: string, dir: string, files: readonly string[]): Set<string> {
  const run = spawnSync('kubectl', ['apply', '--dry-run=server', '--validate=strict', '-o', 'name', '-f', dir], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfig },
    maxBuffer: 1 << 28,
  });
  const refused = new Set<string>();
  for (const match of run.stderr.matchAll(/"([^"]*\/m-\d+\.json)"/g)) {
    refused.add(path.basename(match[1]));
  }
  // Every object is accounted for: printed as applied, or named in an error.
  const applied = run.stdout.split('\n').filter((line) => line.trim() !== '').length;
  if (applied + refused.size !== files.length) {
    throw new Error(
      `kubectl accounted for ${applied} applied and ${refused.size} refused of ${files.length} objects:\n` +
        run.stderr.split('\n').slice(-5).join('\n'),
    );
  }
  return refused;
}

/** The checker's errors on an object alone, as the rules that need only it find them. */
function checkerErrors(object: Record<string, any>): string[] {
  const schema = kubernetesSchema();
  const reports = checkObjectAlone(
    { file: 'm.json', index: 0, object },
    { schema, customResources: new CustomResourceSchemas(schema) },
  );
  return reports.flatMap((report) =>
    report.findings.filter((f) => f.severity === 'error').map((f) => `[${f.rule}] ${f.path}: ${f.message}`),
  );
}

(skipReason ? describe.skip : describe)(
  `the checker against the real API server${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let running: LocalPlane | undefined;
    let kubeconfig = '';
    beforeAll(async () => {
      running = startLocalPlane(() => undefined);
      kubeconfig = await running.ready;
    }, 240_000);
    afterAll(async () => {
      await running?.stop();
    }, 60_000);

    test(`agrees on ${MUTATIONS.toLocaleString('en')} mutations of valid objects, on every field it claims to check`, () => {
      const mutations: Mutation[] = [
        ...baseObjects().map((object) => ({ rule: 'schema' as const, change: `${object.kind}: none`, object })),
        ...apiServerMutations(MUTATIONS),
      ];
      let excluded = 0;
      let refusedCount = 0;
      const disagreements = inScratchFolder('api-server-', (dir) => {
        const files = mutations.map((mutation, index) => {
          const file = `m-${String(index).padStart(5, '0')}.json`;
          fs.writeFileSync(path.join(dir, file), JSON.stringify(mutation.object));
          return file;
        });
        const refused = refusedBy(kubeconfig, dir, files);
        refusedCount = refused.size;
        return mutations.flatMap((mutation, index) => {
          if (OUT_OF_SCOPE.some((scope) => scope.applies(mutation))) {
            excluded++;
            return [];
          }
          const errors = checkerErrors(mutation.object);
          const serverRefuses = refused.has(files[index]);
          return serverRefuses === errors.length > 0
            ? []
            : [
                `${mutation.change}: ${JSON.stringify(mutation.object).slice(0, 300)}\n` +
                  `  server: ${serverRefuses ? 'refuses' : 'accepts'}; checker: ${errors.length ? errors.join('; ').slice(0, 300) : 'accepts'}`,
              ];
        });
      });
      expect({ disagreements: disagreements.length, first: disagreements.slice(0, 5) }).toEqual({
        disagreements: 0,
        first: [],
      });
      // Both verdicts occur often: the mutations are neither all refused nor all accepted.
      expect(refusedCount).toBeGreaterThan(mutations.length / 5);
      expect(refusedCount).toBeLessThan((mutations.length * 4) / 5);
      const readme = fs.readFileSync(path.join(root, 'checker/README.md'), 'utf8').replace(/\s+/g, ' ');
      expect(readme).toContain(agreementSentence(mutations.length, mutations.length - excluded, excluded));
    }, 600_000);
  },
);
