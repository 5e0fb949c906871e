import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';

const CLUSTER_DIR = path.resolve(__dirname, 'cluster');
const BINARY = path.join(CLUSTER_DIR, 'bin', 'localplane');
const READY = /^localplane: ready kubeconfig=(\S+)/;
const STARTUP_TIMEOUT_MS = 180_000;

/** A running local control plane, reachable only through its own kubeconfig. */
export interface LocalPlane {
  readonly kubeconfig: string;
  /** Stops every component and removes its files; safe to call more than once. */
  stop(): Promise<void>;
}

/** Builds the local control plane (cached by Go between runs), printing the build's progress. */
export function buildLocalPlane(): void {
  const build = spawnSync('bash', [path.join(CLUSTER_DIR, 'build.sh')], { stdio: 'inherit' });
  if (build.status !== 0) {
    throw new Error(`building the local control plane failed (exit ${build.status}); see the output above`);
  }
}

/** Starts the local control plane and resolves once it reports ready. */
export function startLocalPlane(log: (line: string) => void): Promise<LocalPlane> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localplane-'));
  const child = spawn(BINARY, ['up', '--dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      const done = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) {
        done();
        return;
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
    return stopping;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the local control plane was not ready after ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);
    const onLine = (line: string) => {
      log(`    ${line}`);
      const ready = READY.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve({ kubeconfig: ready[1], stop });
      }
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      reject(new Error(`the local control plane exited (${signal ?? code}) before it was ready`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${BINARY}: ${error.message}`));
    });
  });
}
