import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '..');

/**
 * The command of `npm run synth` with its entry point replaced by `entry`, as
 * an argv: read from package.json, so that the tests run whatever runner the
 * project uses. npm itself is left out so that a kill reaches the synth.
 */
export function synthCommand(entry: string): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const words: string[] = scripts.synth.split(/\s+/);
  const main = words.indexOf('main.ts');
  if (main < 0) {
    throw new Error(`the synth script does not name main.ts: ${scripts.synth}`);
  }
  words[main] = entry;
  const [program, ...args] = words;
  const local = path.join(root, 'node_modules', '.bin', program);
  return [program === 'node' ? process.execPath : fs.existsSync(local) ? local : program, ...args];
}

/** Runs a synth of `entry` to the end, publishing into `outdir`. */
export function runSynth(entry: string, outdir: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const [program, ...args] = synthCommand(entry);
  return spawnSync(program, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_OUTDIR: outdir, ...env },
  });
}

/** A running synth in a process group of its own, so that a signal reaches every process of the runner. */
export interface RunningSynth {
  readonly child: ChildProcess;
  /** Resolves with the exit code, or the signal's name, once the process has ended. */
  readonly exited: Promise<number | string>;
  signal(name: NodeJS.Signals): void;
}

export function startSynth(entry: string, outdir: string, env: NodeJS.ProcessEnv = {}): RunningSynth {
  const [program, ...args] = synthCommand(entry);
  const child = spawn(program, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CDK8S_OUTDIR: outdir, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    exited: exited.then((result) => {
      if (typeof result === 'number' && result !== 0) {
        throw new Error(`synth exited with ${result}: ${stderr}`);
      }
      return result;
    }),
    signal: (name) => {
      if (child.pid === undefined) {
        return;
      }
      try {
        process.kill(-child.pid, name);
      } catch {
        // Already gone.
      }
    },
  };
}

/** Every file of a folder with its bytes, by name. */
export function readFolder(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}
