// The guard of a real-node run: a small process that outlives the runner by design. It holds the
// read end of a pipe from the runner; when the pipe closes (the runner ends, is interrupted, or is
// killed with SIGKILL) or the guard gets SIGTERM or SIGHUP, it restores the machine from the run's
// state file and exits.
//
// Run as `node --require tsx/cjs e2e/node-guard.ts STATE_FILE`; the runner starts it with
// startNodeGuard.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { restoreMachine } from './restore-machine';
import { processStart, readRunState } from './run-state';

/** How long the guard may take to start, and to restore the machine once released. */
const GUARD_START_MS = 30_000;
const GUARD_RESTORE_MS = 30_000;

export interface GuardReport {
  readonly done: string[];
  readonly problems: string[];
}

export interface NodeGuard {
  readonly pid: number;
  readonly pidStart: string;
  /** Closes the pipe and waits for the guard's report of what it restored. */
  release(): Promise<GuardReport>;
}

function firstLine(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the guard did not ${what} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the guard exited (${signal ?? code}) before it could ${what}`));
    });
  });
}

/** Starts the guard of the run whose state file is `stateFile`; resolves once it watches the pipe. */
export async function startNodeGuard(stateFile: string): Promise<NodeGuard> {
  // Its own session: a Ctrl-C at the terminal or a signal to the runner's process group does not reach it.
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', __filename, stateFile], {
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await firstLine(child, 'start', GUARD_START_MS);
  if (ready !== 'guard: watching' || !child.pid) {
    throw new Error(`the guard said ${JSON.stringify(ready)} instead of watching`);
  }
  const pid = child.pid;
  const pidStart = processStart(pid) ?? '';
  let report: Promise<GuardReport> | undefined;
  return {
    pid,
    pidStart,
    release() {
      report ??= (async () => {
        const line = firstLine(child, 'report what it restored', GUARD_RESTORE_MS);
        child.stdin?.end();
        return JSON.parse(await line) as GuardReport;
      })();
      return report;
    },
  };
}

function guard(file: string): void {
  let restoring = false;
  const restore = () => {
    if (restoring) {
      return;
    }
    restoring = true;
    const report = fs.existsSync(file) ? restoreMachine(readRunState(file)) : { done: [], problems: [] };
    try {
      // The runner may be gone: nobody reads then, and a failed write changes nothing.
      fs.writeSync(1, `${JSON.stringify(report)}\n`);
    } catch {
      // nobody listening
    }
    process.exit(0);
  };
  process.stdin.on('end', restore);
  process.stdin.on('close', restore);
  process.stdin.on('error', restore);
  process.on('SIGTERM', restore);
  process.on('SIGHUP', restore);
  process.on('SIGINT', restore);
  process.stdin.resume();
  fs.writeSync(1, 'guard: watching\n');
}

if (require.main === module) {
  const [file] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --require tsx/cjs e2e/node-guard.ts STATE_FILE');
    process.exit(2);
  }
  guard(file);
}
