// The replay's steps, in the order of the lesson in the README ("The lesson, step by step"),
// then the README's other claims about applying dist/. Each step is one object: its name, whether
// it needs containers that really run, how long it may take, what it runs (the learner's command)
// and what it expects of the result.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatSelector } from '../checker/label-selector';
import {
  HOMEPAGE_NAME,
  HTTP_PORT,
  MANIFEST_DIR,
  MANIFEST_FILES,
  PORT_FORWARD_LOCAL_PORT,
  SLEEP_NAME,
  SLEEP_POD_LABELS,
} from '../lib/constants';
import { expectedCapEff } from './capabilities';
import { MANAGED_BY, RUNNER_ANNOTATION } from './cluster-under-test';
import {
  containerOf,
  DIST,
  describePods,
  type Endpoints,
  HOMEPAGE_SELECTOR,
  manifest,
  podSpecOf,
  type ReplayContext,
  replicasOf,
} from './replay-context';
import { processStart } from './run-state';

const SLEEP_SELECTOR = formatSelector(SLEEP_POD_LABELS);
/**
 * How step names write the homepage Pods' label selector: a name shows the command's shape, not
 * values a trainer may change (a second label), so that the names and the table of e2e/README.md stay put.
 */
export const HOMEPAGE_LABELS = '{homepage labels}';
const SCALED_REPLICAS = 3;
const VARIANT_REPLICAS = 2;
// With three Pods behind the Service, 30 calls all missing one of them has odds of about 1 in 60 000.
const LOAD_BALANCED_CALLS = 30;
/** An image no one built here: pulling it would need a registry. */
const MISSING_IMAGE = 'dak4dotnet/not-built-here:e2e';
const WORKSHOP_CURL = `curl -v -s --head http://${HOMEPAGE_NAME}`;
const homepageFile = manifest(MANIFEST_FILES.homepagePod);
const serviceFile = manifest(MANIFEST_FILES.homepageService);
const sleepFile = manifest(MANIFEST_FILES.sleep);

export interface ReplayStep<T = unknown> {
  /** What the step does, as the report prints it. */
  readonly name: string;
  /** Whether it needs containers that really run; on a simulated node it is skipped. */
  readonly containers: boolean;
  /** How long it may take, waits included, before it fails. */
  readonly seconds: number;
  /** Later steps cannot run without this one: its failure ends the replay. */
  readonly essential?: boolean;
  /** Runs the step's commands, as a learner would type them. */
  readonly run: (replay: ReplayContext) => Promise<T> | T;
  /** Checks what `run` gave; returns the lines the report prints, or throws what is wrong. */
  readonly expect: (result: T, replay: ReplayContext) => Promise<string> | string;
}

// Each step keeps its own result type; the list holds them all.
const step = <T>(definition: ReplayStep<T>) => definition as ReplayStep<unknown>;

/** Throws unless every one of `lines` is in `out`. */
function expectLines(out: string, lines: string[]): string {
  const missing = lines.filter((line) => !out.includes(line));
  if (missing.length) {
    throw new Error(`expected ${missing.map((line) => `"${line}"`).join(', ')} in:\n${out}`);
  }
  return out;
}

/** Throws when the API server warned (a Pod Security level the object would violate, a deprecation). */
function expectNoWarning(stderr: string, what: string): void {
  const warnings = stderr
    .split('\n')
    .filter((line) => /^Warning:/.test(line) && !/v1 Endpoints is deprecated/.test(line));
  if (warnings.length) {
    throw new Error(`the API server warned about ${what}:\n${warnings.join('\n')}`);
  }
}

const headerLines = (out: string) =>
  out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^HTTP\/1\.1 /.test(line) || /^x-host:/i.test(line));
const xHost = (out: string) => /^x-host:\s*(\S+)/im.exec(out)?.[1];
const answeredBy = (pods: readonly string[]) => (out: string) =>
  /^HTTP\/1\.1 200/m.test(out) && pods.includes(xHost(out) ?? '');

/** The process status lines a container of `file` must show, from its securityContext in dist/. */
function expectedStatus(file: string): Record<string, string> {
  const spec = podSpecOf(file);
  const context = containerOf(file).securityContext ?? {};
  if (!context.capabilities?.drop?.includes('ALL')) {
    throw new Error(`${manifest(file).shown} does not drop ALL capabilities, so the effective set cannot be predicted`);
  }
  const user = context.runAsUser ?? spec.securityContext?.runAsUser;
  const group = context.runAsGroup ?? spec.securityContext?.runAsGroup;
  return {
    ...(user === undefined ? {} : { Uid: `${user} ${user} ${user} ${user}` }),
    ...(group === undefined ? {} : { Gid: `${group} ${group} ${group} ${group}` }),
    CapEff: expectedCapEff(context.capabilities?.add ?? []),
    NoNewPrivs: context.allowPrivilegeEscalation === false ? '1' : '0',
    // 2 is "filter": the runtime's default seccomp profile is loaded.
    Seccomp: '2',
  };
}

function expectStatus(actual: Record<string, string>, file: string): string {
  const expected = expectedStatus(file);
  const wrong = Object.keys(expected).filter((key) => actual[key] !== expected[key]);
  if (wrong.length) {
    throw new Error(wrong.map((key) => `${key}: expected ${expected[key]}, PID 1 has ${actual[key]}`).join('\n'));
  }
  return Object.keys(expected)
    .map((key) => `${key} ${actual[key]}`)
    .join(', ');
}

/** A Pod made of a Deployment's Pod template in dist/, as Pod Security admission judges it. */
function podOf(file: string, name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: podSpecOf(file) });
}

const podSecurityRefusal = (out: string) => /violates PodSecurity "(\w+):/.exec(out)?.[0];

/** A Namespace object for `kubectl apply -f -`, enforcing a Pod Security level and warning about it. */
function namespaceObject(name: string, level: 'baseline' | 'restricted'): string {
  const labels = {
    ...MANAGED_BY,
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/warn': level,
  };
  const annotations = { [RUNNER_ANNOTATION]: `${os.hostname()}/${process.pid}/${processStart(process.pid)}` };
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } });
}

/** The lesson's `kubectl apply -f FILE`: the object is created, and the API server warns about nothing. */
function applyStep(file: { path: string; shown: string }, object: string, what: string) {
  return step({
    name: `kubectl apply -f ${file.shown} creates ${what}`,
    containers: false,
    seconds: 30,
    run: (replay) => replay.kubectl.run(['apply', '-f', file.path]),
    expect: (result) => {
      expectNoWarning(result.stderr, file.shown);
      return expectLines(result.stdout.trim(), [`${object} created`]);
    },
  });
}

const checksBeforeTheLesson = [
  step({
    name: 'kubectl apply the throwaway namespaces: one enforcing Pod Security "baseline", one "restricted"',
    containers: false,
    seconds: 30,
    essential: true,
    run: (replay) =>
      [
        [replay.access.namespace, 'baseline'],
        [replay.restricted.namespace, 'restricted'],
      ].map(([name, level]) =>
        replay.kubectl
          .run(['apply', '-f', '-'], { namespaced: false, input: namespaceObject(name, level as 'baseline') })
          .stdout.trim(),
      ),
    expect: (out) => expectLines(out.join('\n'), ['created', 'created']),
  }),
  step({
    name: `kubectl apply --dry-run=server --validate=strict -f ${MANIFEST_DIR}/: the API server accepts every object`,
    containers: false,
    seconds: 60,
    run: (replay) => replay.kubectl.run(['apply', '--dry-run=server', '--validate=strict', '-f', DIST]),
    expect: (result) => {
      expectNoWarning(result.stderr, `${MANIFEST_DIR}/ in a namespace enforcing Pod Security "baseline"`);
      return result.stdout.trim();
    },
  }),
  step({
    name: 'npm run diff shows every object as new',
    containers: false,
    seconds: 60,
    run: (replay) => replay.npmRun('diff', [1]).stdout,
    expect: (diff) => {
      const missing = [HOMEPAGE_NAME, SLEEP_NAME].filter((name) => !diff.includes(`+  name: ${name}`));
      if (missing.length) {
        throw new Error(`the diff does not add ${missing.join(', ')}:\n${diff}`);
      }
      return `the diff adds ${HOMEPAGE_NAME} and ${SLEEP_NAME}`;
    },
  }),
  step({
    name: 'the namespace enforces Pod Security "baseline": the API server refuses a privileged Pod',
    containers: false,
    seconds: 30,
    run: (replay) => {
      const pod = JSON.parse(podOf(MANIFEST_FILES.sleep, 'e2e-privileged'));
      pod.spec.containers[0].securityContext = { privileged: true };
      const args = ['create', '--dry-run=server', '-f', '-'];
      return replay.kubectl.run(args, { okCodes: [0, 1], input: JSON.stringify(pod) });
    },
    expect: (result) => {
      const refusal = podSecurityRefusal(result.stderr);
      if (result.status === 0 || !refusal?.includes('baseline')) {
        throw new Error(
          `a privileged Pod was not refused by Pod Security "baseline":\n${result.stderr}${result.stdout}`,
        );
      }
      return result.stderr.trim().split('\n')[0];
    },
  }),
];

const lessonStep1To3 = [
  applyStep(homepageFile, `deployment.apps/${HOMEPAGE_NAME}`, 'the homepage Deployment, admitted under "baseline"'),
  step({
    name: `the homepage Pods turn Ready under the securityContext in ${homepageFile.shown}`,
    containers: false,
    seconds: 90,
    essential: true,
    run: (replay) => replay.podsReady(HOMEPAGE_SELECTOR, replicasOf(MANIFEST_FILES.homepagePod)),
    expect: (pods) => `${describePods(pods)} Ready`,
  }),
  step({
    name: 'nginx (PID 1 of the homepage Pod) runs with exactly the capabilities dist/ adds, no new privileges, seccomp',
    containers: true,
    seconds: 30,
    run: (replay) => replay.processStatus(HOMEPAGE_NAME),
    expect: (status) => expectStatus(status, MANIFEST_FILES.homepagePod),
  }),
  step({
    name: `kubectl port-forward deployment/${HOMEPAGE_NAME} ${PORT_FORWARD_LOCAL_PORT}:${HTTP_PORT.number}, then HTTP 200 from localhost:${PORT_FORWARD_LOCAL_PORT}`,
    containers: true,
    seconds: 45,
    run: (replay) => replay.portForward(`/?e2e=${process.pid}`),
    expect: ({ forwarding, url, status }) => {
      if (status !== '200') {
        throw new Error(`${url} answered ${status}`);
      }
      return `${forwarding}\nGET ${url} -> HTTP ${status}`;
    },
  }),
  step({
    name: `kubectl logs --selector ${HOMEPAGE_LABELS} shows that request`,
    containers: true,
    seconds: 20,
    run: (replay) =>
      replay.waitFor('the access-log line of the port-forwarded request', () =>
        replay.kubectl
          .out('logs', '--selector', HOMEPAGE_SELECTOR, '--tail', '20')
          .split('\n')
          .find((line) => line.includes(`GET /?e2e=${process.pid} `)),
      ),
    expect: (line) => line,
  }),
];

const lessonStep4To6 = [
  applyStep(serviceFile, `service/${HOMEPAGE_NAME}`, 'the homepage Service'),
  step({
    name: `kubectl get endpoints ${HOMEPAGE_NAME} lists exactly the homepage Pods' IPs`,
    containers: false,
    seconds: 60,
    run: (replay) => replay.endpointsMatchPods(replicasOf(MANIFEST_FILES.homepagePod)),
    expect: (endpoints, replay) => {
      replay.seen.first = endpoints;
      return `endpoints ${HOMEPAGE_NAME}: ${endpoints.ips.join(', ')} = Pod ${describePods(endpoints.pods)}`;
    },
  }),
  step({
    name: `kubectl delete pod -l ${HOMEPAGE_LABELS}: the endpoints follow the new Pods`,
    containers: false,
    seconds: 90,
    run: (replay) => {
      const first = replay.seen.first;
      if (!first) {
        throw new Error('no homepage Pod to replace');
      }
      replay.kubectl.out('delete', 'pod', '-l', HOMEPAGE_SELECTOR, '--wait=false');
      return replay.endpointsMatchPods(
        first.pods.length,
        first.pods.map((p) => p.name),
      );
    },
    expect: (replaced: Endpoints, replay) => {
      replay.seen.replacement = replaced;
      const first = replay.seen.first!;
      return (
        `before: ${first.ips.join(', ')} (${describePods(first.pods)})\n` +
        `after:  ${replaced.ips.join(', ')} (${describePods(replaced.pods)})`
      );
    },
  }),
  step({
    name: `kubectl scale deploy/${HOMEPAGE_NAME} --replicas ${SCALED_REPLICAS}: ${SCALED_REPLICAS} endpoints`,
    containers: false,
    seconds: 90,
    run: (replay) => {
      replay.kubectl.out('scale', `deploy/${HOMEPAGE_NAME}`, '--replicas', String(SCALED_REPLICAS));
      return replay.endpointsMatchPods(SCALED_REPLICAS);
    },
    expect: (scaled) => `endpoints ${HOMEPAGE_NAME}: ${scaled.ips.join(', ')}`,
  }),
];

const lessonStep7 = [
  applyStep(sleepFile, `deployment.apps/${SLEEP_NAME}`, `the ${SLEEP_NAME} Deployment, admitted under "baseline"`),
  step({
    name: `the ${SLEEP_NAME} Deployment's Pods turn Ready`,
    containers: false,
    seconds: 90,
    essential: true,
    run: (replay) => replay.podsReady(SLEEP_SELECTOR, replicasOf(MANIFEST_FILES.sleep)),
    expect: (pods) => describePods(pods),
  }),
  step({
    name: `the ${SLEEP_NAME} shell runs as the user and group dist/ names, with no capabilities and a read-only root`,
    containers: true,
    seconds: 30,
    run: (replay) => ({
      status: replay.processStatus(SLEEP_NAME),
      write: replay.kubectl.run(['exec', `deploy/${SLEEP_NAME}`, '--', 'sh', '-c', 'touch /written-by-e2e'], {
        okCodes: [1],
      }),
    }),
    expect: ({ status, write }) => {
      const security = expectStatus(status, MANIFEST_FILES.sleep);
      if (status.Uid?.startsWith('0 ') || !write.stderr.includes('Read-only file system')) {
        throw new Error(`uid ${status.Uid}; writing to / gave: ${write.stderr}`);
      }
      return `${security}; ${write.stderr.split('\n')[0]}`;
    },
  }),
  step({
    name: `kubectl exec deploy/${SLEEP_NAME} -- nslookup ${HOMEPAGE_NAME} answers the Service's ClusterIP`,
    containers: true,
    seconds: 45,
    run: (replay) => {
      const clusterIp = replay.kubectl.out('get', 'service', HOMEPAGE_NAME, '-o', 'jsonpath={.spec.clusterIP}');
      const answer = replay.waitFor('a DNS answer for homepage', () => {
        const out = replay.kubectl.out('exec', `deploy/${SLEEP_NAME}`, '--', 'nslookup', HOMEPAGE_NAME);
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
      });
      return answer.then((out) => ({ out, clusterIp }));
    },
    expect: ({ out, clusterIp }) => `${out}\n(ClusterIP of service/${HOMEPAGE_NAME}: ${clusterIp})`,
  }),
  step({
    name: `kubectl exec deploy/${SLEEP_NAME} -- sh -c '${WORKSHOP_CURL}': HTTP/1.1 200 from a homepage Pod`,
    containers: true,
    seconds: 45,
    run: async (replay) => {
      const pods = replay.pods(HOMEPAGE_SELECTOR).map((p) => p.name);
      return { pods, out: await replay.fromSleep(WORKSHOP_CURL, answeredBy(pods), 'an answer through the Service') };
    },
    expect: ({ pods, out }) => `${headerLines(out).join('\n')}\n(homepage Pods: ${pods.join(', ')})`,
  }),
  step({
    name: `the Service spreads ${LOAD_BALANCED_CALLS} calls from ${SLEEP_NAME} over all ${SCALED_REPLICAS} homepage Pods`,
    containers: true,
    seconds: 60,
    run: async (replay) => {
      const loop = `for i in $(seq ${LOAD_BALANCED_CALLS}); do curl -s --max-time 5 --head http://${HOMEPAGE_NAME} | grep -i '^x-host:'; done`;
      const all = (text: string) => (text.match(/^x-host:/gim) ?? []).length === LOAD_BALANCED_CALLS;
      const pods = replay.pods(HOMEPAGE_SELECTOR).filter((p) => p.ready);
      return {
        pods: pods.map((p) => p.name).sort(),
        out: await replay.fromSleep(loop, all, `${LOAD_BALANCED_CALLS} answers`),
      };
    },
    expect: ({ pods, out }) => {
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
  }),
  step({
    name: `flat Pod network: ${SLEEP_NAME} reaches a homepage Pod by its Pod IP`,
    containers: true,
    seconds: 45,
    run: async (replay) => {
      const [pod] = replay.pods(HOMEPAGE_SELECTOR);
      const out = await replay.fromSleep(
        `curl -s --max-time 5 --head http://${pod.ip}/`,
        answeredBy([pod.name]),
        `an answer from ${pod.ip}`,
      );
      return { pod, out };
    },
    expect: ({ pod, out }) => `curl --head http://${pod.ip}/ -> ${headerLines(out).join(', ')}`,
  }),
];

const afterTheLesson = [
  step({
    name: `Pod Security "restricted" admits the ${SLEEP_NAME} Deployment and its Pod, and refuses the homepage's (its documented trade-offs)`,
    containers: false,
    seconds: 30,
    run: (replay) => {
      const { restricted } = replay;
      const dryRun = ['--dry-run=server', '-f', '-'];
      return {
        deployment: restricted.kubectl.run(['apply', '--dry-run=server', '-f', sleepFile.path]),
        sleepPod: restricted.kubectl.run(['create', ...dryRun], { input: podOf(MANIFEST_FILES.sleep, 'e2e-sleep') }),
        homepagePod: restricted.kubectl.run(['create', ...dryRun], {
          okCodes: [0, 1],
          input: podOf(MANIFEST_FILES.homepagePod, 'e2e-homepage'),
        }),
      };
    },
    expect: ({ deployment, sleepPod, homepagePod }, replay) => {
      expectNoWarning(deployment.stderr, `${sleepFile.shown} in a namespace enforcing "restricted"`);
      expectNoWarning(sleepPod.stderr, `the ${SLEEP_NAME} Pod in a namespace enforcing "restricted"`);
      const refusal = podSecurityRefusal(homepagePod.stderr);
      if (homepagePod.status === 0 || !refusal?.includes('restricted')) {
        throw new Error(
          `the homepage Pod was not refused by "restricted":\n${homepagePod.stderr}${homepagePod.stdout}`,
        );
      }
      return (
        `namespace ${replay.restricted.namespace}: ${deployment.stdout.trim()}; ${sleepPod.stdout.trim()}\n` +
        `homepage: ${homepagePod.stderr.trim().split('\n')[0]}`
      );
    },
  }),
  step({
    name: `kubectl apply -f ${MANIFEST_DIR}/ again (npm run deploy) sets the homepage back to its replicas in ${MANIFEST_DIR}/ and changes nothing else`,
    containers: false,
    seconds: 90,
    run: async (replay) => ({
      out: replay.npmRun('deploy').stdout.trim(),
      back: await replay.endpointsMatchPods(replicasOf(MANIFEST_FILES.homepagePod)),
    }),
    expect: ({ out, back }, replay) => {
      const scaledBack = back.pods.length === SCALED_REPLICAS ? 'unchanged' : 'configured';
      expectLines(out, [
        `deployment.apps/${HOMEPAGE_NAME} ${scaledBack}`,
        `service/${HOMEPAGE_NAME} unchanged`,
        `deployment.apps/${SLEEP_NAME} unchanged`,
      ]);
      replay.npmRun('diff', [0]);
      return `${out}\nendpoints ${HOMEPAGE_NAME}: ${back.ips.join(', ')}; npm run diff: no differences`;
    },
  }),
  step({
    name: `kubectl delete -f ${MANIFEST_DIR}/ removes the three objects, and their Pods go with them`,
    containers: false,
    seconds: 90,
    run: async (replay) => {
      const out = replay.kubectl.out('delete', '-f', DIST, '--wait=false');
      const pods = await replay.waitFor('every Pod to go', () => {
        const left = replay.kubectl.out('get', 'pods', '-o', 'name');
        return left ? undefined : 'no Pods left';
      });
      return `${out}\n${pods}`;
    },
    expect: (out) =>
      expectLines(out, [
        `deployment.apps "${HOMEPAGE_NAME}" deleted`,
        `service "${HOMEPAGE_NAME}" deleted`,
        `deployment.apps "${SLEEP_NAME}" deleted`,
      ]),
  }),
  step({
    name: `npm run deploy (kubectl apply -f ${MANIFEST_DIR}/) creates all three at once`,
    containers: false,
    seconds: 90,
    run: async (replay) => ({
      out: replay.npmRun('deploy').stdout.trim(),
      endpoints: await replay.endpointsMatchPods(replicasOf(MANIFEST_FILES.homepagePod)),
    }),
    expect: ({ out, endpoints }) =>
      `${expectLines(out, [
        `deployment.apps/${HOMEPAGE_NAME} created`,
        `service/${HOMEPAGE_NAME} created`,
        `deployment.apps/${SLEEP_NAME} created`,
      ])}\nendpoints ${HOMEPAGE_NAME}: ${endpoints.ips.join(', ')}`,
  }),
  step({
    name: `a synth with homepage replicas ${VARIANT_REPLICAS}, applied, gives ${VARIANT_REPLICAS} endpoints`,
    containers: false,
    seconds: 90,
    run: async (replay) => {
      const variant = path.join(replay.scratch, 'synth-variant');
      fs.rmSync(variant, { recursive: true, force: true });
      replay.synth(
        ['e2e/synth-variant.ts', String(VARIANT_REPLICAS), variant],
        `the synth with ${VARIANT_REPLICAS} replicas`,
      );
      replay.kubectl.out('apply', '-f', variant);
      return replay.endpointsMatchPods(VARIANT_REPLICAS);
    },
    expect: (scaled) => `endpoints ${HOMEPAGE_NAME}: ${scaled.ips.join(', ')}`,
  }),
  step({
    name: 'an image missing locally fails to pull: the node has no route to any registry',
    containers: true,
    seconds: 75,
    run: async (replay) => {
      const pod = 'e2e-missing-image';
      replay.kubectl.out('run', pod, `--image=${MISSING_IMAGE}`, '--restart=Never', '--image-pull-policy=Always');
      const waiting = 'jsonpath={.status.containerStatuses[0].state.waiting.message}';
      const message = await replay.waitFor('the pull to fail', () => {
        const state = replay.kubectl.out('get', 'pod', pod, '-o', waiting);
        return /failed to pull/i.test(state) ? state : undefined;
      });
      replay.kubectl.run(['delete', 'pod', pod, '--wait=false'], { okCodes: [0, 1] });
      return message;
    },
    expect: (message) => {
      if (!message.includes('network is unreachable')) {
        throw new Error(`the pull failed, but not for want of a route:\n${message}`);
      }
      return message;
    },
  }),
];

/** Every step, in order. */
export const REPLAY_STEPS: readonly ReplayStep[] = [
  ...checksBeforeTheLesson,
  ...lessonStep1To3,
  ...lessonStep4To6,
  ...lessonStep7,
  ...afterTheLesson,
];
