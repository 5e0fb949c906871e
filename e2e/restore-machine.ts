// Puts the machine back as a real-node run found it, from the run's state file alone: it needs
// neither the run (which may have been killed) nor containerd (which may be gone too). The guard
// calls it when the run ends, however it ends; a later run calls it for a dead run whose guard died.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mountPoints, restoreSysctls } from './machine-state';
import { isRunning, listRunStates, processStart, type RunState, readRunState, removeRunState } from './run-state';

/** How long stopping the processes and removing the cgroups may take before the restore reports what is left. */
const RESTORE_DEADLINE_MS = 8_000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function cgroupHierarchies(): string[] {
  return fs
    .readdirSync('/sys/fs/cgroup', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join('/sys/fs/cgroup', entry.name));
}

/** The `kubepods` trees this run made: in hierarchies that had none before it. */
function podCgroupTrees(state: RunState): string[] {
  return cgroupHierarchies()
    .filter((hierarchy) => !state.podCgroupsBefore.includes(path.basename(hierarchy)))
    .map((hierarchy) => path.join(hierarchy, 'kubepods'))
    .filter((tree) => fs.existsSync(tree));
}

/** PIDs of every process in a cgroup tree. */
function cgroupProcesses(dir: string): number[] {
  try {
    const own = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    const nested = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => cgroupProcesses(path.join(dir, entry.name)));
    return [...own, ...nested];
  } catch {
    return [];
  }
}

/**
 * The run's processes: everything in the node's network namespace (daemons, shims, kubectl), whatever
 * names the work folder in its command line, and the containers' processes in the Pods' cgroups.
 */
function runProcesses(state: RunState): number[] {
  let netnsId: string | undefined;
  try {
    netnsId = `net:[${fs.statSync(`/run/netns/${state.netns}`).ino}]`;
  } catch {
    netnsId = undefined;
  }
  const found = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return (
          (netnsId !== undefined && fs.readlinkSync(`/proc/${pid}/ns/net`) === netnsId) ||
          fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(state.work)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
  const inPods = podCgroupTrees(state).flatMap(cgroupProcesses);
  return [...new Set([...found, ...inPods])].filter((pid) => processStart(pid) !== undefined);
}

/** Kills the run's processes with SIGKILL until none is left; returns how many there were. */
function killRunProcesses(state: RunState, deadline: number): { killed: number; left: number[] } {
  const seen = new Set<number>();
  for (;;) {
    const pids = runProcesses(state);
    if (pids.length === 0 || Date.now() > deadline) {
      return { killed: seen.size, left: pids };
    }
    for (const pid of pids) {
      seen.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    pause(100);
  }
}

const mountPointsUnder = (dir: string) => mountPoints().filter((point) => point === dir || point.startsWith(`${dir}/`));

/** Unmounts the containers' filesystems and removes the network namespaces the run made. */
function removeMountsAndNamespaces(state: RunState, problems: string[]): { mounts: number; netns: string[] } {
  const mounts = mountPointsUnder(state.work).reverse();
  for (const point of mounts) {
    const result = spawnSync('umount', ['--lazy', point], { encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) {
      problems.push(`umount ${point}: ${result.stderr.trim()}`);
    }
  }
  const netns = (fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : []).filter(
    (name) => name === state.netns || (name.startsWith('cni-') && !state.netnsBefore.includes(name)),
  );
  for (const name of netns) {
    // `ip netns delete` unmounts and removes the file; a file that is no mount is removed by hand.
    if (spawnSync('ip', ['netns', 'delete', name], { timeout: 10_000 }).status !== 0) {
      fs.rmSync(`/run/netns/${name}`, { force: true });
    }
  }
  if (state.absentBefore.includes('/run/netns') && fs.existsSync('/run/netns')) {
    spawnSync('umount', ['--lazy', '/run/netns'], { timeout: 10_000 });
    fs.rmSync('/run/netns', { recursive: true, force: true });
  }
  return { mounts: mounts.length, netns };
}

/** Removes the Pods' cgroup trees bottom-up (cgroup folders go with rmdir), retrying while processes leave. */
function removePodCgroups(state: RunState, deadline: number, problems: string[]): number {
  const removeTree = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        removeTree(path.join(dir, entry.name));
      }
    }
    fs.rmdirSync(dir);
  };
  const trees = podCgroupTrees(state);
  for (const tree of trees) {
    for (;;) {
      try {
        removeTree(tree);
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          problems.push(`cgroup ${tree}: ${(error as Error).message}`);
          break;
        }
        pause(100);
      }
    }
  }
  return trees.length;
}

/**
 * Restores the machine a run changed, as its state file records it: stops its processes, unmounts
 * its filesystems, deletes its network namespaces and Pod cgroups, writes back the settings, removes
 * its folders and the state file. Returns what it did, as short phrases, and what it could not do.
 */
export function restoreMachine(state: RunState): { done: string[]; problems: string[] } {
  const deadline = Date.now() + RESTORE_DEADLINE_MS;
  const problems: string[] = [];
  const { killed, left } = killRunProcesses(state, deadline);
  if (left.length) {
    problems.push(`processes still running after ${RESTORE_DEADLINE_MS / 1000} s: ${left.join(' ')}`);
  }
  const { mounts, netns } = removeMountsAndNamespaces(state, problems);
  const cgroups = removePodCgroups(state, deadline, problems);
  const sysctls = restoreSysctls(state.sysctls);
  const folders = [...state.absentBefore, state.work].filter((dir) => fs.existsSync(dir));
  for (const dir of folders) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  removeRunState(state);
  const done = [
    `${killed} processes stopped`,
    `${mounts} mounts`,
    `network namespaces ${netns.join(' ') || '(none)'}`,
    `${cgroups} Pod cgroup trees`,
    sysctls.length ? `settings ${sysctls.join(', ')}` : 'settings unchanged',
    `${folders.length} folders`,
  ];
  return { done, problems };
}

/**
 * Restores what dead runs left: each state file whose runner and guard are both gone. A guard still
 * at work is given its deadline first. Returns one line per run restored.
 */
export function restoreLeftovers(): string[] {
  const lines: string[] = [];
  for (const file of listRunStates()) {
    const state = readRunState(file);
    if (isRunning(state)) {
      throw new Error(`another real-node run (pid ${state.pid}) is running; run one at a time`);
    }
    const guardDeadline = Date.now() + RESTORE_DEADLINE_MS + 2_000;
    while (isRunning(state.guard) && Date.now() < guardDeadline) {
      pause(200);
    }
    if (!fs.existsSync(file)) {
      continue;
    }
    const { done, problems } = restoreMachine(state);
    lines.push(
      `e2e: restored what the dead run ${state.pid} left: ${done.join(', ')}` +
        (problems.length ? `; not restored: ${problems.join('; ')}` : ''),
    );
  }
  return lines;
}
