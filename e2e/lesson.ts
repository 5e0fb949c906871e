// `npm run e2e [-- --context NAME]`: synthesizes dist/, then replays the lesson in the workshop's
// order with the real kubectl: by default on a local real node (containerd, kubelet, kube-proxy,
// CoreDNS) inside a private network namespace, or, where this machine cannot run containers, on a
// simulated node; or on the cluster of a named context. It works in a throwaway namespace and
// tallies each step.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatSelector } from '../checker/label-selector';
import type { Container, KubeDeploymentProps } from '../imports/k8s';
import {
  HOMEPAGE_NAME,
  HOMEPAGE_POD_LABELS,
  HTTP_PORT,
  MANIFEST_DIR,
  MANIFEST_EXTENSION,
  MANIFEST_FILES,
  PORT_FORWARD_LOCAL_PORT,
  SLEEP_NAME,
  SLEEP_POD_LABELS,
} from '../lib/constants';
import { expectedCapEff } from './capabilities';
import { accessEnv, accessFlags, type ClusterAccess, Kubectl, where } from './kubectl';
import { buildLocalPlane, type LocalPlane, startLocalPlane } from './local-plane';
import { captureMachineState, leftoversSince, type MachineState } from './machine-state';
import { buildNodeBinaries, RealNode, realNodeUnavailable } from './real-node';
import { restoreLeftovers } from './restore-machine';
import { StepReport, waitFor } from './steps';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, MANIFEST_DIR);
const HOMEPAGE_SELECTOR = formatSelector(HOMEPAGE_POD_LABELS);
const SLEEP_SELECTOR = formatSelector(SLEEP_POD_LABELS);
const SCALED_REPLICAS = 3;
const VARIANT_REPLICAS = 2;
// With three Pods behind the Service, 30 calls all missing one of them has odds of about 1 in 60 000.
const LOAD_BALANCED_CALLS = 30;
/** An image no one built here: pulling it would need a registry. */
const MISSING_IMAGE = 'dak4dotnet/not-built-here:e2e';

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
  const result = spawnSync(...where(access, 'npm', ['run', '--silent', script, '--', ...args]), {
    cwd: ROOT,
    encoding: 'utf8',
    env: accessEnv(access),
  });
  if (!okCodes.includes(result.status ?? -1)) {
    throw new Error(`npm run ${script} exited ${result.status}:\n${(result.stderr || result.stdout).trim()}`);
  }
  return result;
}

function synth(entry: string[], what: string): void {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', ...entry], { cwd: ROOT, encoding: 'utf8' });
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
  return waitFor(
    `${count} homepage endpoint(s) matching the Running homepage Pods`,
    () => {
      const pods = kubectl.pods(HOMEPAGE_SELECTOR);
      const running = pods.filter((p) => p.phase === 'Running' && p.ip && !exclude.includes(p.name));
      const endpoints = kubectl.endpointIps(HOMEPAGE_NAME);
      const ips = running.map((p) => p.ip).sort();
      const settled = pods.length === count && running.length === count && endpoints.join() === ips.join();
      return settled ? { pods: running, endpoints } : undefined;
    },
    patienceMs,
  );
}

/** Why the container steps cannot run, when they cannot; undefined on a real node or cluster. */
let noContainers: string | undefined;

/** Runs a step that needs real containers, or reports it skipped with the reason they are absent. */
async function inContainers(
  report: StepReport,
  name: string,
  body: () => Promise<string | undefined> | string | undefined,
) {
  if (noContainers) {
    report.skip(name, noContainers);
    return;
  }
  await report.step(name, body);
}

const manifestPath = (file: string) => path.join(DIST, `${file}${MANIFEST_EXTENSION}`);

/** The first container of the Deployment in one of dist/'s files, as a plain object. */
function containerOf(file: string): Container {
  const docs = parseAllDocuments(fs.readFileSync(manifestPath(file), 'utf8')).map((doc) => doc.toJSON());
  const deployment: KubeDeploymentProps | undefined = docs.find((doc) => doc?.kind === 'Deployment');
  const container = deployment?.spec?.template?.spec?.containers?.[0];
  if (!container) {
    throw new Error(`${manifestPath(file)} has no Deployment with a container`);
  }
  return container;
}

/** CapEff, NoNewPrivs and Seccomp of PID 1 in a Deployment's container. */
function processStatus(kubectl: Kubectl, deployment: string): Record<string, string> {
  const status = kubectl.out('exec', `deploy/${deployment}`, '--', 'cat', '/proc/1/status');
  return Object.fromEntries(
    status
      .split('\n')
      .map((line) => line.split(':\t'))
      .filter(([key]) => ['CapEff', 'NoNewPrivs', 'Seccomp'].includes(key))
      .map(([key, value]) => [key, value.trim()]),
  );
}

/** Checks PID 1's security settings against the container's securityContext in dist/. */
function assertSecurity(kubectl: Kubectl, deployment: string, file: string): string {
  const context = containerOf(file).securityContext ?? {};
  const drop: string[] = context.capabilities?.drop ?? [];
  if (!drop.includes('ALL')) {
    throw new Error(`${manifestPath(file)} does not drop ALL capabilities, so the effective set cannot be predicted`);
  }
  const expected: Record<string, string> = {
    CapEff: expectedCapEff(context.capabilities?.add ?? []),
    NoNewPrivs: context.allowPrivilegeEscalation === false ? '1' : '0',
    // 2 is "filter": the runtime's default seccomp profile is loaded.
    Seccomp: '2',
  };
  const actual = processStatus(kubectl, deployment);
  const wrong = Object.keys(expected).filter((key) => actual[key] !== expected[key]);
  if (wrong.length) {
    throw new Error(wrong.map((key) => `${key}: expected ${expected[key]}, PID 1 has ${actual[key]}`).join('\n'));
  }
  return Object.entries(actual)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

/** The parts of `kubectl get pods -o json` the lesson reads (the imported API types leave out status). */
interface PodList {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string };
    status?: {
      podIP?: string;
      conditions?: Array<{ type: string; status: string }>;
      containerStatuses?: Array<{ restartCount?: number; state?: { waiting?: { reason?: string } } }>;
    };
  }>;
}

interface PodState {
  name: string;
  ip: string;
  ready: boolean;
  waiting?: string;
  restarts: number;
}

function podStates(kubectl: Kubectl, selector: string): PodState[] {
  const list: PodList = JSON.parse(kubectl.out('get', 'pods', '-l', selector, '-o', 'json'));
  return list.items
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .map((pod) => {
      const container = pod.status?.containerStatuses?.[0];
      return {
        name: pod.metadata?.name ?? '',
        ip: pod.status?.podIP ?? '',
        ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        waiting: container?.state?.waiting?.reason,
        restarts: container?.restartCount ?? 0,
      };
    });
}

/** Waits for `count` Ready Pods; on a timeout the error quotes the containers' own logs. */
async function podsReady(kubectl: Kubectl, selector: string, count: number): Promise<PodState[]> {
  try {
    return await waitFor(
      `${count} Ready Pod(s) labelled ${selector}`,
      () => {
        const pods = podStates(kubectl, selector);
        return pods.length === count && pods.every((p) => p.ready) ? pods : undefined;
      },
      patienceMs,
    );
  } catch (error) {
    const pods = podStates(kubectl, selector);
    const states = pods.map((p) => `${p.name}: ready=${p.ready} ${p.waiting ?? ''} restarts=${p.restarts}`).join('\n');
    // A container that keeps failing is between restarts most of the time: its last run has the reason.
    const logsOf = (...flags: string[]) =>
      kubectl
        .run(['logs', '--selector', selector, '--tail=20', ...flags], { okCodes: [0, 1] })
        .stdout.trim()
        .split('\n')
        .filter((line) => line && !line.startsWith('unable to retrieve container logs'))
        .join('\n');
    const log = logsOf() || logsOf('--previous') || '(empty)';
    throw new Error(`${(error as Error).message}\n${states}\ncontainer log:\n${log}`);
  }
}

/** Runs a shell command in the sleep Pod; a real cluster may need a moment before a new Service or Pod answers. */
async function fromSleep(
  kubectl: Kubectl,
  command: string,
  accept: (out: string) => boolean,
  what: string,
): Promise<string> {
  return waitFor(
    what,
    () => {
      const result = kubectl.run(['exec', `deploy/${SLEEP_NAME}`, '--', 'sh', '-c', command], {
        okCodes: [0, 1, 6, 7, 22, 28],
      });
      const out = `${result.stdout}${result.stderr}`;
      if (!accept(out)) {
        throw new Error(`\`${command}\` gave:\n${out.trim()}`);
      }
      return out;
    },
    30_000,
  );
}

const headerLines = (out: string) =>
  out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^HTTP\/1\.1 /.test(line) || /^x-host:/i.test(line));
const xHost = (out: string) => /^x-host:\s*(\S+)/im.exec(out)?.[1];

async function replayLesson(kubectl: Kubectl, access: ClusterAccess, report: StepReport) {
  const dist = path.relative(process.cwd(), DIST) || MANIFEST_DIR;
  const flags = accessFlags(access);
  const homepageFile = `${dist}/${MANIFEST_FILES.homepagePod}${MANIFEST_EXTENSION}`;
  const serviceFile = `${dist}/${MANIFEST_FILES.homepageService}${MANIFEST_EXTENSION}`;

  await report.step(`kubectl apply --dry-run=server --validate=strict -f ${dist}/`, () =>
    kubectl.out('apply', '--dry-run=server', '--validate=strict', '-f', DIST),
  );

  await report.step('npm run diff shows every object as new', () => {
    const diff = npmRun('diff', flags, access, [1]);
    for (const name of [HOMEPAGE_NAME, SLEEP_NAME]) {
      if (!diff.stdout.includes(`+  name: ${name}`)) {
        throw new Error(`the diff does not add ${name}:\n${diff.stdout}`);
      }
    }
    return `the diff adds ${HOMEPAGE_NAME} and ${SLEEP_NAME}`;
  });

  // The workshop's order: the homepage Pod first, reached through a port-forward and read in its logs.
  await report.step(`kubectl apply -f ${homepageFile} creates the homepage Deployment`, () => {
    const out = kubectl.out('apply', '-f', manifestPath(MANIFEST_FILES.homepagePod));
    if (!out.includes(`deployment.apps/${HOMEPAGE_NAME} created`)) {
      throw new Error(`expected "deployment.apps/${HOMEPAGE_NAME} created" in:\n${out}`);
    }
    return out;
  });

  const homepageReady = await report.step(
    `the homepage Pod turns Ready under the securityContext in ${homepageFile}`,
    async () => {
      const [pod] = await podsReady(kubectl, HOMEPAGE_SELECTOR, 1);
      return `${pod.name} ${pod.ip} Ready`;
    },
  );
  if (!homepageReady) {
    // Every later step calls the homepage; waiting for each to time out would only bury the cause.
    console.log('  (the remaining steps need a Ready homepage Pod: stopped here)');
    return;
  }

  await inContainers(
    report,
    'nginx (PID 1 of the homepage Pod) runs with exactly the capabilities dist/ adds, no new privileges, seccomp',
    () => assertSecurity(kubectl, HOMEPAGE_NAME, MANIFEST_FILES.homepagePod),
  );

  const marker = `/?e2e=${process.pid}`;
  await inContainers(
    report,
    `kubectl port-forward deployment/${HOMEPAGE_NAME} ${PORT_FORWARD_LOCAL_PORT}:${HTTP_PORT.number}, then HTTP 200 from localhost:${PORT_FORWARD_LOCAL_PORT}`,
    () => portForward(access, marker),
  );

  await inContainers(report, `kubectl logs --selector ${HOMEPAGE_SELECTOR} shows that request`, async () => {
    const line = await waitFor(
      'the access-log line of the port-forwarded request',
      () =>
        kubectl
          .out('logs', '--selector', HOMEPAGE_SELECTOR, '--tail', '20')
          .split('\n')
          .find((l) => l.includes(`GET ${marker} `)),
      15_000,
    );
    return line;
  });

  await report.step(`kubectl apply -f ${serviceFile} creates the homepage Service`, () => {
    const out = kubectl.out('apply', '-f', manifestPath(MANIFEST_FILES.homepageService));
    if (!out.includes(`service/${HOMEPAGE_NAME} created`)) {
      throw new Error(`expected "service/${HOMEPAGE_NAME} created" in:\n${out}`);
    }
    return out;
  });

  let first: Awaited<ReturnType<typeof endpointsMatchPods>> | undefined;
  await report.step(`kubectl get endpoints ${HOMEPAGE_NAME} lists exactly the homepage Pod's IP`, async () => {
    first = await endpointsMatchPods(kubectl, 1);
    return `endpoints ${HOMEPAGE_NAME}: ${first.endpoints.join(', ')} = Pod ${describePods(first.pods)}`;
  });

  await report.step(
    'npm run deploy (kubectl apply -f dist/) creates sleep and leaves the homepage objects unchanged',
    () => {
      const out = npmRun('deploy', flags, access).stdout.trim();
      for (const expected of [
        `deployment.apps/${HOMEPAGE_NAME} unchanged`,
        `service/${HOMEPAGE_NAME} unchanged`,
        `deployment.apps/${SLEEP_NAME} created`,
      ]) {
        if (!out.includes(expected)) {
          throw new Error(`expected "${expected}" in:\n${out}`);
        }
      }
      return out;
    },
  );

  await report.step(`the ${SLEEP_NAME} Deployment has one Ready Pod labelled ${SLEEP_SELECTOR}`, async () =>
    describePods(await podsReady(kubectl, SLEEP_SELECTOR, 1)),
  );

  await inContainers(report, 'the sleep shell runs with no capabilities and a read-only root filesystem', async () => {
    const security = assertSecurity(kubectl, SLEEP_NAME, MANIFEST_FILES.sleep);
    const write = kubectl.run(['exec', `deploy/${SLEEP_NAME}`, '--', 'sh', '-c', 'touch /written-by-e2e'], {
      okCodes: [1],
    });
    if (!write.stderr.includes('Read-only file system')) {
      throw new Error(`writing to / did not fail as read-only:\n${write.stderr}`);
    }
    return `${security}; ${write.stderr.split('\n')[0]}`;
  });

  await inContainers(
    report,
    `kubectl exec deploy/${SLEEP_NAME} -- nslookup ${HOMEPAGE_NAME} answers the Service's ClusterIP`,
    async () => {
      const clusterIp = kubectl.out('get', 'service', HOMEPAGE_NAME, '-o', 'jsonpath={.spec.clusterIP}');
      const answer = await waitFor(
        'a DNS answer for homepage',
        () => {
          const out = kubectl.out('exec', `deploy/${SLEEP_NAME}`, '--', 'nslookup', HOMEPAGE_NAME);
          const addresses = out
            .split('Name:')[1]
            ?.match(/Address:\s*(\S+)/g)
            ?.map((a) => a.replace(/Address:\s*/, ''));
          if (addresses?.join() !== clusterIp) {
            throw new Error(
              `nslookup answered ${addresses?.join(', ') ?? 'nothing'}, the ClusterIP is ${clusterIp}:\n${out}`,
            );
          }
          return out;
        },
        30_000,
      );
      return `${answer}\n(ClusterIP of service/${HOMEPAGE_NAME}: ${clusterIp})`;
    },
  );

  const workshopCurl = `curl -v -s --head http://${HOMEPAGE_NAME}`;
  const answeredBy = (pods: readonly string[]) => (out: string) =>
    /^HTTP\/1\.1 200/m.test(out) && pods.includes(xHost(out) ?? '');
  await inContainers(
    report,
    `kubectl exec deploy/${SLEEP_NAME} -- sh -c '${workshopCurl}': HTTP/1.1 200 from a homepage Pod`,
    async () => {
      const pods = podStates(kubectl, HOMEPAGE_SELECTOR).map((p) => p.name);
      const out = await fromSleep(kubectl, workshopCurl, answeredBy(pods), 'an answer through the Service');
      return `${headerLines(out).join('\n')}\n(homepage Pods: ${pods.join(', ')})`;
    },
  );

  await inContainers(report, 'flat Pod network: sleep reaches the homepage Pod by its Pod IP', async () => {
    const [pod] = podStates(kubectl, HOMEPAGE_SELECTOR);
    const out = await fromSleep(
      kubectl,
      `curl -s --head http://${pod.ip}/`,
      answeredBy([pod.name]),
      `an answer from ${pod.ip}`,
    );
    return `curl --head http://${pod.ip}/ -> ${headerLines(out).join(', ')}`;
  });

  let replaced: Awaited<ReturnType<typeof endpointsMatchPods>> | undefined;
  await report.step(`kubectl delete pod -l ${HOMEPAGE_SELECTOR}: the endpoints follow the new Pod`, async () => {
    if (!first) {
      throw new Error('no homepage Pod to replace');
    }
    kubectl.out('delete', 'pod', '-l', HOMEPAGE_SELECTOR, '--wait=false');
    replaced = await endpointsMatchPods(
      kubectl,
      1,
      first.pods.map((p) => p.name),
    );
    return (
      `before: ${first.endpoints.join(', ')} (${describePods(first.pods)})\n` +
      `after:  ${replaced.endpoints.join(', ')} (${describePods(replaced.pods)})`
    );
  });

  await inContainers(report, 'calls through the unchanged Service reach the replacement Pod', async () => {
    const pods = (replaced?.pods ?? []).map((p) => p.name);
    const out = await fromSleep(kubectl, workshopCurl, answeredBy(pods), 'an answer from the replacement Pod');
    return headerLines(out).join(', ');
  });

  await report.step(
    `kubectl scale deploy/${HOMEPAGE_NAME} --replicas ${SCALED_REPLICAS}: ${SCALED_REPLICAS} endpoints`,
    async () => {
      kubectl.out('scale', `deploy/${HOMEPAGE_NAME}`, '--replicas', String(SCALED_REPLICAS));
      const scaled = await endpointsMatchPods(kubectl, SCALED_REPLICAS);
      return `endpoints ${HOMEPAGE_NAME}: ${scaled.endpoints.join(', ')}`;
    },
  );

  await inContainers(
    report,
    `the Service spreads ${LOAD_BALANCED_CALLS} calls from sleep over all ${SCALED_REPLICAS} homepage Pods`,
    async () => {
      const pods = podStates(kubectl, HOMEPAGE_SELECTOR)
        .filter((p) => p.ready)
        .map((p) => p.name)
        .sort();
      const loop = `for i in $(seq ${LOAD_BALANCED_CALLS}); do curl -s --head http://${HOMEPAGE_NAME} | grep -i '^x-host:'; done`;
      const out = await fromSleep(
        kubectl,
        loop,
        (text) => (text.match(/^x-host:/gim) ?? []).length === LOAD_BALANCED_CALLS,
        `${LOAD_BALANCED_CALLS} answers`,
      );
      const counts = new Map(pods.map((pod) => [pod, 0]));
      for (const match of out.matchAll(/^x-host:\s*(\S+)/gim)) {
        counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
      }
      const table = [...counts].map(([pod, n]) => `${pod}: ${n} calls`).join('\n');
      const missed = [...counts].filter(([pod, n]) => n === 0 || !pods.includes(pod));
      if (counts.size !== SCALED_REPLICAS || missed.length) {
        throw new Error(`the calls did not reach exactly the ${SCALED_REPLICAS} Ready Pods:\n${table}`);
      }
      return table;
    },
  );

  await inContainers(
    report,
    'an image missing locally fails to pull: the namespace has no route to any registry',
    async () => {
      const pod = 'e2e-missing-image';
      kubectl.out('run', pod, `--image=${MISSING_IMAGE}`, '--restart=Never', '--image-pull-policy=Always');
      try {
        const message = await waitFor(
          'the pull to fail',
          () => {
            const state = kubectl.out(
              'get',
              'pod',
              pod,
              '-o',
              'jsonpath={.status.containerStatuses[0].state.waiting.message}',
            );
            return /failed to pull/i.test(state) ? state : undefined;
          },
          60_000,
        );
        if (!message.includes('network is unreachable')) {
          throw new Error(`the pull failed, but not for want of a route:\n${message}`);
        }
        return message;
      } finally {
        kubectl.run(['delete', 'pod', pod, '--wait=false'], { okCodes: [0, 1] });
      }
    },
  );

  await report.step('applying dist/ again changes nothing but the replicas, set back to 1', async () => {
    const out = npmRun('deploy', flags, access).stdout.trim();
    const expected = [
      `deployment.apps/${HOMEPAGE_NAME} configured`,
      `service/${HOMEPAGE_NAME} unchanged`,
      `deployment.apps/${SLEEP_NAME} unchanged`,
    ];
    const missing = expected.filter((line) => !out.includes(line));
    if (missing.length) {
      throw new Error(`expected ${missing.join(', ')} in:\n${out}`);
    }
    const back = await endpointsMatchPods(kubectl, 1);
    npmRun('diff', flags, access, [0]);
    return `${out}\nendpoints ${HOMEPAGE_NAME}: ${back.endpoints.join(', ')}; npm run diff: no differences`;
  });

  await report.step(
    `a synth with homepage replicas ${VARIANT_REPLICAS}, applied, gives ${VARIANT_REPLICAS} endpoints`,
    async () => {
      const variant = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-variant-'));
      try {
        synth(
          ['e2e/synth-variant.ts', String(VARIANT_REPLICAS), variant],
          `the synth with ${VARIANT_REPLICAS} replicas`,
        );
        kubectl.out('apply', '-f', variant);
        const scaled = await endpointsMatchPods(kubectl, VARIANT_REPLICAS);
        return `endpoints ${HOMEPAGE_NAME}: ${scaled.endpoints.join(', ')}`;
      } finally {
        fs.rmSync(variant, { recursive: true, force: true });
      }
    },
  );
}

/** Port-forwards to the homepage and fetches `urlPath` through the tunnel, where the cluster is reachable. */
async function portForward(access: ClusterAccess, urlPath: string): Promise<string> {
  const child = spawn(
    ...where(access, 'kubectl', [
      ...accessFlags(access),
      'port-forward',
      `deployment/${HOMEPAGE_NAME}`,
      `${PORT_FORWARD_LOCAL_PORT}:${HTTP_PORT.number}`,
    ]),
    { env: accessEnv(access) },
  );
  let forwarding = '';
  child.stdout.on('data', (chunk) => {
    forwarding += chunk;
  });
  try {
    await waitFor(
      'the port-forward to listen',
      () => (forwarding.includes('Forwarding from') ? true : undefined),
      30_000,
    );
    const url = `http://localhost:${PORT_FORWARD_LOCAL_PORT}${urlPath}`;
    const result = spawnSync(...where(access, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', url]), {
      encoding: 'utf8',
    });
    if (result.stdout !== '200') {
      throw new Error(`${url} answered ${result.stdout || result.stderr}`);
    }
    return `${forwarding.split('\n')[0]}\nGET ${url} -> HTTP ${result.stdout}`;
  } finally {
    child.kill();
  }
}

/** Compares the host before and after a real-node run; anything left over fails the step. */
function assertMachineAsFound(before: MachineState): string {
  const { leftovers, otherSockets } = leftoversSince(before);
  if (leftovers.length) {
    throw new Error(leftovers.join('\n'));
  }
  return (
    `unchanged: network namespaces (${before.netns.length}), links (${before.links.length}), ` +
    `${Object.entries(before.sysctls)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}, ` +
    `iptables rules (${before.iptables.length} lines), listening sockets of the node's programs (none), ` +
    `the node's processes (none), mounts under the run's folders (${before.mounts.length}) ` +
    `and Pod cgroups (${before.podCgroups.length})` +
    (otherSockets.length ? `; other programs' sockets changed meanwhile: ${otherSockets.join(', ')}` : '')
  );
}

async function main(): Promise<number> {
  const { context } = parseArgs(process.argv.slice(2));
  const report = new StepReport();
  const namespace = `k8s101-e2e-${process.pid}-${Date.now().toString(36)}`;
  let plane: LocalPlane | undefined;
  let node: RealNode | undefined;
  let machineBefore: MachineState | undefined;
  let access: ClusterAccess | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      if (access && context) {
        spawnSync('kubectl', [...accessFlags(access, false), 'delete', 'namespace', namespace, '--wait=false'], {
          stdio: 'ignore',
        });
      }
      await node?.stop();
      await plane?.stop();
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: cleaning up`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);

  try {
    console.log('== npm run synth');
    synth(['main.ts'], 'npm run synth');
    if (context) {
      console.log(`== cluster: context ${context}, namespace ${namespace} (deleted afterwards)`);
      access = { context, namespace };
      patienceMs = 300_000;
    } else {
      // E2E_NODE=real (CI) turns a missing real node into a failure; E2E_NODE=simulated asks for kwok.
      const wanted = process.env.E2E_NODE;
      noContainers = wanted === 'simulated' ? 'E2E_NODE=simulated asks for the simulated node' : realNodeUnavailable();
      if (noContainers && wanted === 'real') {
        throw new Error(`E2E_NODE=real, but this machine cannot run the real node: ${noContainers}`);
      }
      if (noContainers) {
        console.log(
          `== no real node here (${noContainers}): the node is simulated with kwok, container steps are skipped`,
        );
        console.log('== building the local control plane');
        buildLocalPlane();
        console.log('== starting the local control plane');
        plane = startLocalPlane(console.log);
        access = { kubeconfig: await plane.ready, namespace };
      } else {
        console.log('== building the real node (localplane with the kubelet and kube-proxy, CoreDNS)');
        buildNodeBinaries();
        for (const line of restoreLeftovers()) {
          console.log(line);
        }
        machineBefore = captureMachineState();
        console.log('== starting the real node in its own network namespace');
        node = new RealNode(console.log);
        await node.start();
        access = { kubeconfig: node.kubeconfig, namespace, inside: node.inside };
      }
    }
    const kubectl = new Kubectl(access);
    kubectl.run(['create', 'namespace', namespace], { namespaced: false });
    console.log(`== the lesson, in namespace ${namespace}`);
    await replayLesson(kubectl, access, report);
  } catch (error) {
    await report.step('setting up the lesson', () => {
      throw error;
    });
  } finally {
    await cleanUp();
  }
  if (machineBefore) {
    const before = machineBefore;
    await report.step('the machine is left as found', () => assertMachineAsFound(before));
  }
  console.log(report.summary());
  if (process.env.TEST_TOTALS_FILE) {
    fs.writeFileSync(process.env.TEST_TOTALS_FILE, JSON.stringify(report.totals));
  }
  return report.totals.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
