// What the replay's steps act through: kubectl and npm pointed at the cluster under test, and the
// waits and probes the steps share. Every wait ends at the current step's deadline.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatSelector } from '../checker/label-selector';
import type { Container, KubeDeploymentProps, PodSpec } from '../imports/k8s';
import {
  HOMEPAGE_NAME,
  HOMEPAGE_POD_LABELS,
  HTTP_PORT,
  MANIFEST_DIR,
  MANIFEST_EXTENSION,
  PORT_FORWARD_LOCAL_PORT,
  SLEEP_NAME,
} from '../lib/constants';
import { accessEnv, accessFlags, type ClusterAccess, Kubectl, where } from './kubectl';
import { waitFor } from './wait-for';

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, MANIFEST_DIR);
export const HOMEPAGE_SELECTOR = formatSelector(HOMEPAGE_POD_LABELS);

/** A Pod as the steps read it from `kubectl get pods -o json`. */
export interface PodState {
  readonly name: string;
  readonly ip: string;
  readonly ready: boolean;
  readonly waiting?: string;
  readonly restarts: number;
}

/** The Service's endpoints and the Running Pods they equal. */
export interface Endpoints {
  readonly pods: PodState[];
  readonly ips: string[];
}

/** The parts of `kubectl get pods -o json` the steps read (the imported API types leave out status). */
interface PodList {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string };
    status?: {
      phase?: string;
      podIP?: string;
      conditions?: Array<{ type: string; status: string }>;
      containerStatuses?: Array<{ restartCount?: number; state?: { waiting?: { reason?: string } } }>;
    };
  }>;
}

export class ReplayContext {
  /** When the current step must be over (ms since the epoch); set by the runner for each step. */
  deadline = Number.POSITIVE_INFINITY;
  /** What one step saw and a later one compares with. */
  readonly seen: { first?: Endpoints; replacement?: Endpoints } = {};
  readonly kubectl: Kubectl;
  /** The second throwaway namespace, which enforces the Pod Security "restricted" level. */
  readonly restricted: { readonly namespace: string; readonly kubectl: Kubectl };

  constructor(
    readonly access: ClusterAccess,
    /** A folder for files the steps write (a variant synth), removed with the cluster. */
    readonly scratch: string,
  ) {
    this.kubectl = new Kubectl(access, () => this.deadline);
    const namespace = `${access.namespace}-restricted`;
    this.restricted = { namespace, kubectl: new Kubectl({ ...access, namespace }, () => this.deadline) };
  }

  /** `waitFor` ending at the step's deadline, or earlier at `timeoutMs`. */
  waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = Number.POSITIVE_INFINITY): Promise<T> {
    return waitFor(what, probe, Math.max(1_000, Math.min(timeoutMs, this.deadline - Date.now())));
  }

  /** Time left in the step for one command, in ms: at least 5 s, at most 2 min. */
  commandTimeout(): number {
    return Math.max(5_000, Math.min(120_000, this.deadline - Date.now()));
  }

  /** A project script (`npm run <script> -- <flags>`) against the cluster under test. */
  npmRun(script: string, okCodes = [0]): { stdout: string; stderr: string } {
    const args = ['run', '--silent', script, '--', ...accessFlags(this.access)];
    const result = spawnSync(...where(this.access, 'npm', args), {
      cwd: ROOT,
      encoding: 'utf8',
      env: accessEnv(this.access),
      timeout: this.commandTimeout(),
    });
    if (!okCodes.includes(result.status ?? -1)) {
      const why = result.error?.message ?? (result.stderr || result.stdout).trim();
      throw new Error(`npm run ${script} exited ${result.status}:\n${why}`);
    }
    return result;
  }

  /** Runs a synth entry (`main.ts`, or `e2e/synth-variant.ts` with its arguments). */
  synth(entry: string[], what: string): void {
    const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', ...entry], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: this.commandTimeout(),
    });
    if (result.status !== 0) {
      throw new Error(
        `${what} failed, so there is nothing to apply:\n${result.error?.message ?? result.stderr.trim()}`,
      );
    }
  }

  /** The Pods matching a selector, those being deleted left out. */
  pods(selector: string): PodState[] {
    const list: PodList = JSON.parse(this.kubectl.out('get', 'pods', '-l', selector, '-o', 'json'));
    return list.items
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .map((pod) => {
        const container = pod.status?.containerStatuses?.[0];
        return {
          name: pod.metadata?.name ?? '',
          ip: pod.status?.phase === 'Running' ? (pod.status?.podIP ?? '') : '',
          ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
          waiting: container?.state?.waiting?.reason,
          restarts: container?.restartCount ?? 0,
        };
      });
  }

  /** Waits for `count` Ready Pods; at the deadline the error quotes the containers' own logs. */
  async podsReady(selector: string, count: number): Promise<PodState[]> {
    try {
      return await this.waitFor(`${count} Ready Pod(s) labelled ${selector}`, () => {
        const pods = this.pods(selector);
        return pods.length === count && pods.every((p) => p.ready) ? pods : undefined;
      });
    } catch (error) {
      const states = this.pods(selector)
        .map((p) => `${p.name}: ready=${p.ready} ${p.waiting ?? ''} restarts=${p.restarts}`)
        .join('\n');
      // A container that keeps failing is between restarts most of the time: its last run has the reason.
      const logsOf = (...flags: string[]) =>
        this.kubectl
          .run(['logs', '--selector', selector, '--tail=20', ...flags], { okCodes: [0, 1] })
          .stdout.trim()
          .split('\n')
          .filter((line) => line && !line.startsWith('unable to retrieve container logs'))
          .join('\n');
      const log = logsOf() || logsOf('--previous') || '(empty)';
      throw new Error(`${(error as Error).message}\n${states}\ncontainer log:\n${log}`);
    }
  }

  /** Waits until the Service's endpoints are exactly the IPs of `count` Running homepage Pods. */
  endpointsMatchPods(count: number, exclude: string[] = []): Promise<Endpoints> {
    return this.waitFor(`${count} homepage endpoint(s) matching the Running homepage Pods`, () => {
      const pods = this.pods(HOMEPAGE_SELECTOR);
      const running = pods.filter((p) => p.ip && !exclude.includes(p.name));
      const ips = this.kubectl.endpointIps(HOMEPAGE_NAME);
      const settled = pods.length === count && running.length === count && ips.join() === podIps(running).join();
      return settled ? { pods: running, ips } : undefined;
    });
  }

  /** Runs a shell command in the sleep Pod until `accept` takes its output: a new Service or Pod may need a moment. */
  fromSleep(command: string, accept: (out: string) => boolean, what: string): Promise<string> {
    return this.waitFor(
      what,
      () => {
        const result = this.kubectl.run(['exec', `deploy/${SLEEP_NAME}`, '--', 'sh', '-c', command], {
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

  /** Uid, Gid, CapEff, NoNewPrivs and Seccomp of PID 1 in a Deployment's container. */
  processStatus(deployment: string): Record<string, string> {
    const status = this.kubectl.out('exec', `deploy/${deployment}`, '--', 'cat', '/proc/1/status');
    return Object.fromEntries(
      status
        .split('\n')
        .map((line) => line.split(':\t'))
        .filter(([key]) => ['Uid', 'Gid', 'CapEff', 'NoNewPrivs', 'Seccomp'].includes(key))
        .map(([key, value]) => [key, value.trim().split(/\s+/).join(' ')]),
    );
  }

  /** Port-forwards to the homepage and fetches `urlPath` through the tunnel; returns what it printed. */
  async portForward(urlPath: string): Promise<{ forwarding: string; url: string; status: string }> {
    const forwardArgs = [`deployment/${HOMEPAGE_NAME}`, `${PORT_FORWARD_LOCAL_PORT}:${HTTP_PORT.number}`];
    const child = spawn(
      ...where(this.access, 'kubectl', [...accessFlags(this.access), 'port-forward', ...forwardArgs]),
      {
        env: accessEnv(this.access),
      },
    );
    let forwarding = '';
    child.stdout.on('data', (chunk) => {
      forwarding += chunk;
    });
    try {
      await this.waitFor('the port-forward to listen', () =>
        forwarding.includes('Forwarding from') ? true : undefined,
      );
      const url = `http://localhost:${PORT_FORWARD_LOCAL_PORT}${urlPath}`;
      const curl = ['-s', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', url];
      const result = spawnSync(...where(this.access, 'curl', curl), { encoding: 'utf8', timeout: 15_000 });
      return { forwarding: forwarding.split('\n')[0], url, status: result.stdout || result.stderr };
    } finally {
      child.kill();
    }
  }
}

export const podIps = (pods: readonly PodState[]) => pods.map((p) => p.ip).sort();
export const describePods = (pods: readonly PodState[]) => pods.map((p) => `${p.name} ${p.ip}`).join(', ');

/** A file of dist/ by its name in MANIFEST_FILES: its path, and its path as a learner types it. */
export function manifest(file: string): { path: string; shown: string } {
  return {
    path: path.join(DIST, `${file}${MANIFEST_EXTENSION}`),
    shown: `${MANIFEST_DIR}/${file}${MANIFEST_EXTENSION}`,
  };
}

/** The Deployment in one of dist/'s files, as a plain object. */
function deploymentOf(file: string): KubeDeploymentProps {
  const { path: manifestPath } = manifest(file);
  const docs = parseAllDocuments(fs.readFileSync(manifestPath, 'utf8')).map((doc) => doc.toJSON());
  const deployment: KubeDeploymentProps | undefined = docs.find((doc) => doc?.kind === 'Deployment');
  if (!deployment?.spec?.template?.spec?.containers?.[0]) {
    throw new Error(`${manifestPath} has no Deployment with a container`);
  }
  return deployment;
}

/** The Pod spec of the Deployment in one of dist/'s files. */
export const podSpecOf = (file: string): PodSpec => deploymentOf(file).spec!.template.spec!;

/** The replicas of the Deployment in one of dist/'s files (1 where it leaves them to the API server). */
export const replicasOf = (file: string): number => deploymentOf(file).spec?.replicas ?? 1;

export const containerOf = (file: string): Container => podSpecOf(file).containers[0];
