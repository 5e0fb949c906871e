// The state file of a real-node run: written before the run changes anything on the machine, it
// records what the machine was like (the settings' old values, which folders and cgroups existed)
// and where the run puts its things. The guard that outlives the run restores the machine from it,
// and a later run that finds the file of a dead run restores from it too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Sysctls } from './machine-state';

/** One folder for the state files of every run on the machine: `<pid>.json`. */
export const STATE_DIR = '/run/k8s101-e2e';

export interface RunState {
  /** The runner's process id, and its start time in clock ticks after boot (`/proc/PID/stat`, field 22). */
  readonly pid: number;
  readonly pidStart: string;
  /** The guard's process id and start time, once it runs. */
  guard?: { readonly pid: number; readonly pidStart: string };
  /** The node's network namespace (`/run/netns/NAME`). */
  readonly netns: string;
  /** The run's work folder: configuration, containerd's and the kubelet's state, the Pods' mounts. */
  readonly work: string;
  /** The settings' values before the run. */
  readonly sysctls: Sysctls;
  /** Folders outside the work folder that did not exist before the run; removed after it. */
  readonly absentBefore: readonly string[];
  /** Network namespaces that existed before the run (the Pods' `cni-*` ones that did not are removed). */
  readonly netnsBefore: readonly string[];
  /** cgroup hierarchies that held a `kubepods` tree before the run (left alone). */
  readonly podCgroupsBefore: readonly string[];
}

export const stateFile = (pid: number) => path.join(STATE_DIR, `${pid}.json`);

/** A process's start time, which tells it from a later process given the same id; undefined when it is gone. */
export function processStart(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); a zombie has finished all but being reaped.
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that `pid` and `pidStart` name still runs. */
export function isRunning(process: { readonly pid: number; readonly pidStart: string } | undefined): boolean {
  return process !== undefined && processStart(process.pid) === process.pidStart;
}

/** Writes (or rewrites) a run's state file; the write is atomic, so a reader never sees half a file. */
export function writeRunState(state: RunState): string {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const file = stateFile(state.pid);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Reads a state file; throws naming the file when it is not one. */
export function readRunState(file: string): RunState {
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as RunState;
    if (typeof state.pid !== 'number' || typeof state.work !== 'string' || typeof state.netns !== 'string') {
      throw new Error('pid, work or netns missing');
    }
    return state;
  } catch (error) {
    throw new Error(`${file} is not a run's state file: ${(error as Error).message}`);
  }
}

/** The state files of runs on this machine, oldest first. */
export function listRunStates(): string[] {
  if (!fs.existsSync(STATE_DIR)) {
    return [];
  }
  return fs
    .readdirSync(STATE_DIR)
    .filter((name) => /^\d+\.json$/.test(name))
    .map((name) => path.join(STATE_DIR, name))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
}

/** Removes a state file, and the state folder once it is empty. */
export function removeRunState(state: RunState): void {
  fs.rmSync(stateFile(state.pid), { force: true });
  fs.rmSync(`${stateFile(state.pid)}.tmp`, { force: true });
  if (fs.existsSync(STATE_DIR) && fs.readdirSync(STATE_DIR).length === 0) {
    fs.rmdirSync(STATE_DIR);
  }
}
