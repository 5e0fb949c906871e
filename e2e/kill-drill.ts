// `node --require tsx/cjs e2e/kill-drill.ts MOMENT[+guard]...`: starts the replay on the real node
// and kills its runner with SIGKILL at each named moment after the node is up. After each kill the
// machine must equal its capture from before that run within 10 s (the guard restores it). With
// `+guard` the guard is killed too, so nothing restores the machine at once: then the next
// `npm run e2e` must restore it, say so, pass, and leave the machine as found.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { exitWith } from './exit-with';
import { captureMachineState, leftoversSince, type MachineState } from './machine-state';
import { REPLAY_STEPS } from './replay-steps';
import { readRunState, stateFile } from './run-state';

const ROOT = path.resolve(__dirname, '..');
const RUNNER = path.join(__dirname, 'replay.ts');
/** How long the machine may take to be as found after a kill. */
const RESTORED_WITHIN_MS = 10_000;
/** How long a run may take to reach a moment (the node's programs and images are built by then). */
const MOMENT_DEADLINE_MS = 10 * 60_000;
/** How long the next run may take in all. */
const NEXT_RUN_DEADLINE_MS = 20 * 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until a process whose command line matches `pattern` exists (or, with `gone`, no longer does). */
async function processMatching(pattern: RegExp, gone = false, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exists = () =>
    fs.readdirSync('/proc').some((pid) => {
      try {
        return /^\d+$/.test(pid) && pattern.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        return false;
      }
    });
  while (exists() === gone) {
    if (Date.now() > deadline) {
      throw new Error(`no process ${gone ? 'left' : 'started'} matching ${pattern} within ${timeoutMs / 1000} s`);
    }
    await sleep(50);
  }
}

interface Moment {
  /** A part of the name of the step the kill comes in. */
  readonly step: string;
  /** Waits, within the step, for the moment itself. */
  readonly inStep: () => Promise<void>;
}

export const MOMENTS: Record<string, Moment> = {
  'port-forward': { step: 'kubectl port-forward', inStep: () => processMatching(/kubectl .*port-forward /) },
  // Two new Pods take seconds to start and join the endpoints; one second in, the step waits for them.
  scale: { step: 'kubectl scale', inStep: () => sleep(1_000) },
  // The last apply: the variant's synth first, then its apply and the wait for its endpoints.
  'final-apply': {
    step: 'a synth with homepage replicas',
    inStep: async () => {
      await processMatching(/synth-variant/);
      await processMatching(/synth-variant\.ts/, true);
      await sleep(300);
    },
  },
};

/** The report line of the step before the moment's: once it is printed, the runner is in the moment's step. */
export function lineBefore(moment: Moment): RegExp {
  const index = REPLAY_STEPS.findIndex((step) => step.name.includes(moment.step));
  if (index < 1) {
    throw new Error(`no step after another one is named "${moment.step}"`);
  }
  const name = REPLAY_STEPS[index - 1].name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^  ✓ ${name} \\(`);
}

/** Reads a child's output line by line, keeping the lines, and resolves when one matches. */
function watchLines(child: ChildProcess, echo: boolean) {
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream! }).on('line', (line) => {
      lines.push(line);
      if (echo) {
        console.log(line);
      }
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiter.resolve();
      }
    });
  }
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  const line = (pattern: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${pattern} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      waiters.push({
        pattern,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      void exited.then((code) => reject(new Error(`the run exited (${code}) before printing ${pattern}`)));
    });
  return { lines, line, exited };
}

const tail = (lines: string[]) => lines.slice(-12).join('\n');

/** Polls until the machine equals `before`; returns the seconds it took, or throws with what is left. */
async function restoredWithin(before: MachineState, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { leftovers } = leftoversSince(before);
    if (leftovers.length === 0) {
      return (Date.now() - started) / 1000;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`after ${timeoutMs / 1000} s the machine still differs:\n${leftovers.slice(0, 15).join('\n')}`);
    }
    await sleep(250);
  }
}

/** One kill: starts the replay, kills it at the moment, and checks the machine. Returns the result line. */
async function killAt(name: string, killGuard: boolean): Promise<string> {
  const moment = MOMENTS[name];
  const before = captureMachineState();
  const started = Date.now();
  const runner = spawn(process.execPath, ['--require', 'tsx/cjs', RUNNER], {
    cwd: ROOT,
    env: { ...process.env, E2E_NODE: 'real' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = watchLines(runner, false);
  try {
    await output.line(lineBefore(moment), MOMENT_DEADLINE_MS);
    await moment.inStep();
  } catch (error) {
    runner.kill('SIGINT');
    await output.exited;
    throw new Error(`${(error as Error).message}\n${tail(output.lines)}`);
  }
  const guard = readRunState(stateFile(runner.pid!)).guard;
  // The node is up: the machine differs from its capture, or the check after the kill proves nothing.
  const up = leftoversSince(before).leftovers.length;
  if (up === 0) {
    throw new Error(`during ${name} the machine equals its capture from before the run: the node is not up`);
  }
  if (killGuard && guard) {
    process.kill(guard.pid, 'SIGKILL');
  }
  process.kill(runner.pid!, 'SIGKILL');
  const at = `${((Date.now() - started) / 1000).toFixed(0)} s into the run, ${up} differences from the capture`;
  await output.exited;
  if (!killGuard) {
    const seconds = await restoredWithin(before, RESTORED_WITHIN_MS);
    return `kill -9 during ${name} (${at}): the machine equals its capture ${seconds.toFixed(1)} s later`;
  }
  const { leftovers } = leftoversSince(before);
  if (leftovers.length === 0) {
    throw new Error(
      `kill -9 of the run and its guard during ${name} left nothing behind: nothing for the next run to restore`,
    );
  }
  return `kill -9 of the run and its guard during ${name} (${at}): ${leftovers.length} differences left\n${await nextRun(before)}`;
}

/** The next `npm run e2e` must restore a dead run's leftovers, say so, pass, and leave the machine as found. */
async function nextRun(before: MachineState): Promise<string> {
  const run = spawn('npm', ['run', '--silent', 'e2e'], { cwd: ROOT, env: { ...process.env, E2E_NODE: 'real' } });
  const output = watchLines(run, true);
  const timer = setTimeout(() => run.kill('SIGINT'), NEXT_RUN_DEADLINE_MS);
  const code = await output.exited;
  clearTimeout(timer);
  const restored = output.lines.find((line) => line.startsWith('e2e: restored what the dead run'));
  if (!restored) {
    throw new Error('the next run did not say that it restored the dead run');
  }
  if (code !== 0) {
    throw new Error(`the next run exited ${code}`);
  }
  const { leftovers } = leftoversSince(before);
  if (leftovers.length) {
    throw new Error(`the next run did not leave the machine as found before the kill:\n${leftovers.join('\n')}`);
  }
  return 'the next npm run e2e restored the machine, passed, and left it as found before the kill';
}

async function main(): Promise<number> {
  const moments = process.argv.slice(2);
  const unknown = moments.map((m) => m.replace(/\+guard$/, '')).filter((m) => !(m in MOMENTS));
  if (moments.length === 0 || unknown.length) {
    console.error(`usage: kill-drill.ts MOMENT[+guard]... with MOMENT one of ${Object.keys(MOMENTS).join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const moment of moments) {
    try {
      console.log(`kill drill: ${await killAt(moment.replace(/\+guard$/, ''), moment.endsWith('+guard'))}`);
    } catch (error) {
      failed++;
      console.log(`kill drill: FAILED at ${moment}: ${(error as Error).message}`);
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  exitWith(main);
}
