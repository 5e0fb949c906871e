import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const CLUSTER_DIR = path.resolve(__dirname, 'cluster');
const BINARY = path.join(CLUSTER_DIR, 'bin', 'localplane');
const READY = /^localplane: ready kubeconfig=(\S+)/;
const STARTUP_TIMEOUT_MS = 180_000;

/** A local control plane being started; reachable only through its own kubeconfig. */
export interface LocalPlane {
  /** Resolves with the kubeconfig once the plane reports ready. */
  readonly ready: Promise<string>;
  /** Stops every component and removes its files, also while it is still starting; safe to call more than once. */
  stop(): Promise<void>;
}

/** A cold build (modules, the whole of Kubernetes, CoreDNS) took 18 min; an hour means something is stuck. */
const BUILD_TIMEOUT_MS = 60 * 60_000;

/**
 * Builds the local control plane (with the kubelet and kube-proxy) and, for the real node, CoreDNS,
 * printing the build's progress; Go's build cache makes a build with nothing changed take seconds.
 */
export function buildLocalPlane(options: { withCoreDns?: boolean } = {}): void {
  const args = [path.join(CLUSTER_DIR, 'build.sh'), ...(options.withCoreDns ? ['--with-coredns'] : [])];
  const build = spawnSync('bash', args, { stdio: 'inherit', timeout: BUILD_TIMEOUT_MS });
  if (build.error || build.status !== 0) {
    const why = build.error?.message ?? `exit ${build.status}`;
    throw new Error(`building the local control plane failed (${why}); see the output above`);
  }
}

/** Starts the local control plane; `ready` resolves once it reports ready. */
export function startLocalPlane(log: (line: string) => void): LocalPlane {
  // A folder that does not exist yet: localplane creates it and removes it again when it stops,
  // even when this process is killed before it can clean up.
  const dir = path.join(os.tmpdir(), `localplane-e2e-${process.pid}-${Date.now().toString(36)}`);
  const child = spawn(BINARY, ['up', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(kill);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the local control plane was not ready after ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);
    const onLine = (line: string) => {
      log(`    ${line}`);
      const match = READY.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the local control plane exited (${signal ?? code}) before it was ready`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${BINARY}: ${error.message}`));
    });
  });
  // A rejection after a successful start (the plane stopping later) is not an error.
  ready.catch(() => undefined);
  return { ready, stop };
}
