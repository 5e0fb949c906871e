// The cluster a replay runs on, started and stopped as two named phases: the local real node, the
// simulated node (kwok) where this machine cannot run containers, or a cluster of the user's own,
// named by a kubeconfig context, where nothing is started.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { accessFlags, type ClusterAccess } from './kubectl';
import { buildLocalPlane, startLocalPlane } from './local-plane';
import { captureMachineState, type MachineState } from './machine-state';
import { RealNode, realNodeUnavailable } from './real-node';
import { restoreLeftovers } from './restore-machine';
import { isRunning, processStart } from './run-state';

export interface ClusterUnderTest {
  /** How kubectl reaches it; the runner adds the namespace. */
  readonly access: Omit<ClusterAccess, 'namespace'>;
  /** Why containers do not really run there, for the steps that need them; undefined where they do. */
  readonly noContainers?: string;
  /** A folder for the replay's own files, removed with the cluster. */
  readonly scratch: string;
  /** The machine before a real node started, to compare with after it stopped. */
  readonly machineBefore?: MachineState;
}

/** Stops what a start began; safe to call at any moment and more than once. */
export type StopCluster = () => Promise<void>;

/** The label and annotation that mark a replay's namespaces, so that a later replay finds those of a dead one. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'k8s101-e2e' };
export const RUNNER_ANNOTATION = 'k8s101-e2e/runner';

/** A scratch folder `k8s101-replay-<pid>-*`; those of runs that are gone (killed) are removed first. */
function scratchFolder(): { scratch: string; removeScratch: () => void } {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = /^k8s101-replay-(\d+)-/.exec(name)?.[1];
    if (pid && processStart(Number(pid)) === undefined) {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `k8s101-replay-${process.pid}-`));
  return { scratch, removeScratch: () => fs.rmSync(scratch, { recursive: true, force: true }) };
}

async function startRealNode(log: (line: string) => void, onStop: (stop: StopCluster) => void) {
  log('== building the real node (localplane with the kubelet and kube-proxy, CoreDNS)');
  buildLocalPlane({ withCoreDns: true });
  for (const line of restoreLeftovers()) {
    log(line);
  }
  const machineBefore = captureMachineState();
  log('== start the node: a real node in its own network namespace');
  const node = new RealNode(log);
  onStop(() => node.stop());
  await node.start();
  const scratch = path.join(node.work, 'replay');
  fs.mkdirSync(scratch);
  return { access: { kubeconfig: node.kubeconfig, inside: node.inside }, scratch, machineBefore };
}

async function startSimulatedNode(reason: string, log: (line: string) => void, onStop: (stop: StopCluster) => void) {
  log(`== no real node here (${reason}): the node is simulated with kwok, container steps are skipped`);
  log('== building the local control plane');
  buildLocalPlane();
  log('== start the node: the local control plane with a simulated node');
  const plane = startLocalPlane(log);
  const { scratch, removeScratch } = scratchFolder();
  onStop(async () => {
    await plane.stop();
    removeScratch();
  });
  return { access: { kubeconfig: await plane.ready }, noContainers: reason, scratch };
}

/** Deletes the namespaces of replays on this machine whose runner is gone; returns a line saying so, if any. */
function deleteDeadRunsNamespaces(access: Omit<ClusterAccess, 'namespace'>): string[] {
  const kubectl = (...args: string[]) =>
    spawnSync('kubectl', [...accessFlags({ ...access, namespace: '' }, false), ...args], {
      encoding: 'utf8',
      timeout: 150_000,
    });
  const selector = Object.entries(MANAGED_BY).map(([key, value]) => `${key}=${value}`);
  const listed = kubectl('get', 'namespaces', '-l', selector.join(), '-o', 'json');
  if (listed.status !== 0) {
    throw new Error(`kubectl --context ${access.context} get namespaces failed: ${listed.stderr.trim()}`);
  }
  const items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }> = JSON.parse(
    listed.stdout,
  ).items;
  const dead = items
    .filter(({ metadata }) => {
      const [host, pid, pidStart] = (metadata.annotations?.[RUNNER_ANNOTATION] ?? '').split('/');
      return host === os.hostname() && !isRunning({ pid: Number(pid), pidStart });
    })
    .map(({ metadata }) => metadata.name);
  if (dead.length === 0) {
    return [];
  }
  kubectl('delete', 'namespace', ...dead, '--timeout=120s');
  return [`e2e: deleted the namespaces of dead replays: ${dead.join(' ')}`];
}

/** Whether every node of the cluster is a kwok node: there, no container runs. */
function simulatedNodes(access: Omit<ClusterAccess, 'namespace'>): string | undefined {
  const annotation = 'jsonpath={.items[*].metadata.annotations.kwok\\.x-k8s\\.io/node}';
  const flags = accessFlags({ ...access, namespace: '' }, false);
  const nodes = spawnSync('kubectl', [...flags, 'get', 'nodes', '-o', annotation], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const fake = nodes.stdout.split(/\s+/).filter(Boolean);
  const count = spawnSync('kubectl', [...flags, 'get', 'nodes', '-o', 'name'], { encoding: 'utf8', timeout: 60_000 })
    .stdout.split('\n')
    .filter(Boolean).length;
  return count > 0 && fake.length === count && fake.every((value) => value === 'fake')
    ? "the cluster's nodes are simulated by kwok (annotation kwok.x-k8s.io/node=fake)"
    : undefined;
}

/**
 * Phase "start the node". With `context`, the cluster of that kubeconfig context (nothing started);
 * otherwise the real node, or the simulated one where containers cannot run here (E2E_NODE=real makes
 * that an error, E2E_NODE=simulated asks for it). `onStop` gets the matching phase "stop the node"
 * before anything starts, so that an interrupted start is stopped too.
 */
export async function startCluster(
  context: string | undefined,
  log: (line: string) => void,
  onStop: (stop: StopCluster) => void,
): Promise<ClusterUnderTest> {
  if (context) {
    const access = { context };
    for (const line of deleteDeadRunsNamespaces(access)) {
      log(line);
    }
    const { scratch, removeScratch } = scratchFolder();
    onStop(async () => removeScratch());
    return { access, noContainers: simulatedNodes(access), scratch };
  }
  const wanted = process.env.E2E_NODE;
  const noContainers =
    wanted === 'simulated' ? 'E2E_NODE=simulated asks for the simulated node' : realNodeUnavailable();
  if (noContainers && wanted === 'real') {
    throw new Error(`E2E_NODE=real, but this machine cannot run the real node: ${noContainers}`);
  }
  return noContainers ? startSimulatedNode(noContainers, log, onStop) : startRealNode(log, onStop);
}
