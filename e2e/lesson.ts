// `npm run e2e [-- --context NAME]`: synthesizes dist/, then replays the lesson with the real
// kubectl against a local control plane (by default) or the cluster of a named context, in a
// throwaway namespace, and tallies each step.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  HOMEPAGE_NAME, HOMEPAGE_POD_LABELS, HTTP_PORT, MANIFEST_DIR, SLEEP_NAME, SLEEP_POD_LABELS,
} from '../lib/constants';
import { formatSelector } from '../checker/label-selector';
import { accessEnv, accessFlags, ClusterAccess, Kubectl } from './kubectl';
import { buildLocalPlane, LocalPlane, startLocalPlane } from './local-plane';
import { StepReport, waitFor } from './steps';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, MANIFEST_DIR);
const HOMEPAGE_SELECTOR = formatSelector(HOMEPAGE_POD_LABELS);
const SLEEP_SELECTOR = formatSelector(SLEEP_POD_LABELS);
const LOCAL_FORWARD_PORT = 8090;
const SCALED_REPLICAS = 3;
const VARIANT_REPLICAS = 2;

function parseArgs(args: string[]): { context?: string } {
  if (args.length === 0) {
    return {};
  }
  if (args.length === 2 && args[0] === '--context' && args[1]) {
    return { context: args[1] };
  }
  throw new Error('usage: npm run e2e [-- --context NAME]');
}

/** Runs a project script (`npm run <script> -- <args>`) against the cluster under test. */
function npmRun(script: string, args: string[], access: ClusterAccess, okCodes = [0]) {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT, encoding: 'utf8', env: accessEnv(access),
  });
  if (!okCodes.includes(result.status ?? -1)) {
    throw new Error(`npm run ${script} exited ${result.status}:\n${(result.stderr || result.stdout).trim()}`);
  }
  return result;
}

function synth(entry: string[], what: string): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', ...entry], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${what} failed, so there is nothing to apply:\n${result.stderr.trim()}`);
  }
}

function describePods(pods: Array<{ name: string; ip: string }>): string {
  return pods.map((p) => `${p.name} ${p.ip}`).join(', ');
}

// A real cluster may first have to pull the images; simulated Pods start at once.
let patienceMs = 60_000;

/** Waits until the Service's endpoints are exactly the IPs of `count` Running homepage Pods. */
async function endpointsMatchPods(kubectl: Kubectl, count: number, exclude: string[] = []) {
  return waitFor(`${count} homepage endpoint(s) matching the Running homepage Pods`, () => {
    const pods = kubectl.pods(HOMEPAGE_SELECTOR);
    const running = pods.filter((p) => p.phase === 'Running' && p.ip && !exclude.includes(p.name));
    const endpoints = kubectl.endpointIps(HOMEPAGE_NAME);
    const ips = running.map((p) => p.ip).sort();
    const settled = pods.length === count && running.length === count && endpoints.join() === ips.join();
    return settled ? { pods: running, endpoints } : undefined;
  }, patienceMs);
}

async function replayLesson(kubectl: Kubectl, access: ClusterAccess, report: StepReport, realCluster: boolean) {
  const dist = path.relative(process.cwd(), DIST) || MANIFEST_DIR;
  const flags = accessFlags(access);

  await report.step(`kubectl apply --dry-run=server --validate=strict -f ${dist}/`, () =>
    kubectl.out('apply', '--dry-run=server', '--validate=strict', '-f', DIST));

  await report.step('npm run diff shows every object as new', () => {
    const diff = npmRun('diff', flags, access, [1]);
    for (const name of [HOMEPAGE_NAME, SLEEP_NAME]) {
      if (!diff.stdout.includes(`+  name: ${name}`)) {
        throw new Error(`the diff does not add ${name}:\n${diff.stdout}`);
      }
    }
  });

  await report.step('npm run deploy (kubectl apply -f dist/) creates the three objects', () => {
    const out = npmRun('deploy', flags, access).stdout.trim();
    for (const expected of [`deployment.apps/${HOMEPAGE_NAME} created`, `service/${HOMEPAGE_NAME} created`, `deployment.apps/${SLEEP_NAME} created`]) {
      if (!out.includes(expected)) {
        throw new Error(`expected "${expected}" in:\n${out}`);
      }
    }
    return out;
  });

  let first: Awaited<ReturnType<typeof endpointsMatchPods>> | undefined;
  await report.step(`kubectl get endpoints ${HOMEPAGE_NAME} lists exactly the homepage Pod's IP`, async () => {
    first = await endpointsMatchPods(kubectl, 1);
    return `endpoints ${HOMEPAGE_NAME}: ${first.endpoints.join(', ')} = Pod ${describePods(first.pods)}`;
  });

  await report.step(`kubectl delete pod -l ${HOMEPAGE_SELECTOR}: the endpoints follow the new Pod`, async () => {
    if (!first) {
      throw new Error('no homepage Pod to replace');
    }
    kubectl.out('delete', 'pod', '-l', HOMEPAGE_SELECTOR, '--wait=false');
    const replaced = await endpointsMatchPods(kubectl, 1, first.pods.map((p) => p.name));
    return `before: ${first.endpoints.join(', ')} (${describePods(first.pods)})\n`
      + `after:  ${replaced.endpoints.join(', ')} (${describePods(replaced.pods)})`;
  });

  await report.step(`kubectl scale deploy/${HOMEPAGE_NAME} --replicas ${SCALED_REPLICAS}: ${SCALED_REPLICAS} endpoints`, async () => {
    kubectl.out('scale', `deploy/${HOMEPAGE_NAME}`, '--replicas', String(SCALED_REPLICAS));
    const scaled = await endpointsMatchPods(kubectl, SCALED_REPLICAS);
    return `endpoints ${HOMEPAGE_NAME}: ${scaled.endpoints.join(', ')}`;
  });

  await report.step('applying dist/ again changes nothing but the replicas, set back to 1', async () => {
    const out = npmRun('deploy', flags, access).stdout.trim();
    const expected = [`deployment.apps/${HOMEPAGE_NAME} configured`, `service/${HOMEPAGE_NAME} unchanged`, `deployment.apps/${SLEEP_NAME} unchanged`];
    const missing = expected.filter((line) => !out.includes(line));
    if (missing.length) {
      throw new Error(`expected ${missing.join(', ')} in:\n${out}`);
    }
    const back = await endpointsMatchPods(kubectl, 1);
    npmRun('diff', flags, access, [0]);
    return `${out}\nendpoints ${HOMEPAGE_NAME}: ${back.endpoints.join(', ')}; npm run diff: no differences`;
  });

  await report.step(`a synth with homepage replicas ${VARIANT_REPLICAS}, applied, gives ${VARIANT_REPLICAS} endpoints`, async () => {
    const variant = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-variant-'));
    try {
      synth(['e2e/synth-variant.ts', String(VARIANT_REPLICAS), variant], `the synth with ${VARIANT_REPLICAS} replicas`);
      kubectl.out('apply', '-f', variant);
      const scaled = await endpointsMatchPods(kubectl, VARIANT_REPLICAS);
      return `endpoints ${HOMEPAGE_NAME}: ${scaled.endpoints.join(', ')}`;
    } finally {
      fs.rmSync(variant, { recursive: true, force: true });
    }
  });

  await report.step(`the ${SLEEP_NAME} Deployment has one Running Pod labelled ${SLEEP_SELECTOR}`, async () => {
    const pods = await waitFor('one Running sleep Pod', () => {
      const found = kubectl.pods(SLEEP_SELECTOR);
      return found.length === 1 && found[0].phase === 'Running' ? found : undefined;
    }, patienceMs);
    return describePods(pods);
  });

  const inContainers: Array<[string, () => Promise<string | void> | string]> = [
    [`kubectl port-forward deployment/${HOMEPAGE_NAME} ${LOCAL_FORWARD_PORT}:${HTTP_PORT.number} serves the homepage`, () => portForward(access)],
    [`kubectl logs --selector ${HOMEPAGE_SELECTOR}`, () => kubectl.out('logs', '--selector', HOMEPAGE_SELECTOR, '--tail', '5')],
    [`kubectl exec deploy/${SLEEP_NAME} -- nslookup ${HOMEPAGE_NAME}`, () => kubectl.out('exec', `deploy/${SLEEP_NAME}`, '--', 'nslookup', HOMEPAGE_NAME)],
    [`kubectl exec deploy/${SLEEP_NAME} -- curl http://${HOMEPAGE_NAME}`, () => {
      const page = kubectl.out('exec', `deploy/${SLEEP_NAME}`, '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${HOMEPAGE_NAME}`);
      if (page !== '200') {
        throw new Error(`http://${HOMEPAGE_NAME} answered ${page}`);
      }
      return 'HTTP 200';
    }],
  ];
  for (const [name, body] of inContainers) {
    if (realCluster) {
      await report.step(name, body);
    } else {
      report.skip(name, 'the local control plane simulates Pods with kwok, so no container runs to answer');
    }
  }
}

/** Port-forwards to the homepage and fetches the page through the tunnel. */
async function portForward(access: ClusterAccess): Promise<string> {
  const child = spawn('kubectl', [...accessFlags(access), 'port-forward', `deployment/${HOMEPAGE_NAME}`,
    `${LOCAL_FORWARD_PORT}:${HTTP_PORT.number}`], { env: accessEnv(access) });
  try {
    await waitFor('the port-forward to listen', () => {
      const out = child.stdout.read()?.toString() ?? '';
      return out.includes('Forwarding from') ? true : undefined;
    }, 30_000);
    const status = await new Promise<number>((resolve, reject) => {
      http.get(`http://127.0.0.1:${LOCAL_FORWARD_PORT}/`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    if (status !== 200) {
      throw new Error(`http://localhost:${LOCAL_FORWARD_PORT} answered ${status}`);
    }
    return `http://localhost:${LOCAL_FORWARD_PORT} answered 200`;
  } finally {
    child.kill();
  }
}

async function main(): Promise<number> {
  const { context } = parseArgs(process.argv.slice(2));
  const report = new StepReport();
  const namespace = `k8s101-e2e-${process.pid}-${Date.now().toString(36)}`;
  let plane: LocalPlane | undefined;
  let access: ClusterAccess | undefined;
  const cleanUp = async () => {
    if (access && context) {
      spawnSync('kubectl', [...accessFlags(access, false), 'delete', 'namespace', namespace, '--wait=false'], { stdio: 'ignore' });
    }
    await plane?.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: cleaning up`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log('== npm run synth');
    synth(['main.ts'], 'npm run synth');
    if (context) {
      console.log(`== cluster: context ${context}, namespace ${namespace} (deleted afterwards)`);
      access = { context, namespace };
      patienceMs = 300_000;
    } else {
      console.log('== building the local control plane');
      buildLocalPlane();
      console.log('== starting the local control plane');
      plane = startLocalPlane(console.log);
      access = { kubeconfig: await plane.ready, namespace };
    }
    const kubectl = new Kubectl(access);
    kubectl.run(['create', 'namespace', namespace], { namespaced: false });
    console.log(`== the lesson, in namespace ${namespace}`);
    await replayLesson(kubectl, access, report, context !== undefined);
  } catch (error) {
    await report.step('setting up the lesson', () => { throw error; });
  } finally {
    await cleanUp();
  }
  console.log(report.summary());
  if (process.env.TEST_TOTALS_FILE) {
    fs.writeFileSync(process.env.TEST_TOTALS_FILE, JSON.stringify(report.totals));
  }
  return report.totals.failed > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
