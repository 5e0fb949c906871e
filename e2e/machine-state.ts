// What a real-node run could leave behind on the host, captured before and compared after, so that
// "the machine is left as found" is checked on every run rather than trusted.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Global settings that the kubelet and the CNI plugins change, restored after every run. */
export const GUARDED_SYSCTLS = [
  'vm.overcommit_memory',
  'kernel.panic',
  'kernel.panic_on_oops',
  'net.ipv4.ip_forward',
] as const;

export type Sysctls = Record<(typeof GUARDED_SYSCTLS)[number], string>;

export interface MachineState {
  readonly netns: string[];
  readonly links: string[];
  readonly sysctls: Sysctls;
  readonly iptables: string[];
  readonly listeners: string[];
  /** Processes of a real node: they carry its work folder or its namespace in their command line. */
  readonly processes: string[];
  /** Mount points under the run's folders: its work folder, the network namespaces', containerd's. */
  readonly mounts: string[];
  /** cgroup hierarchies holding a `kubepods` tree, where the kubelet puts Pods' processes. */
  readonly podCgroups: string[];
}

const NODE_MARKERS = ['/k8s101-node-', '/run/netns/k8s101-e2e-'];
/** Where a run mounts things: its work folders, the network namespaces' folder, containerd's run folder. */
const RUN_FOLDERS = [path.join(os.tmpdir(), 'k8s101-node-'), '/run/netns', '/run/containerd'];

/** Every mount point of this process's mount namespace, in mount order (`/proc/self/mountinfo`, field 5). */
export function mountPoints(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((point): point is string => !!point);
}

const runMounts = () =>
  mountPoints()
    .filter((point) => RUN_FOLDERS.some((folder) => point.startsWith(folder)))
    .sort();

/** The command line of a process, or '' when it is gone. */
function commandLine(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

const isNodeCommand = (cmdline: string) => NODE_MARKERS.some((marker) => cmdline.includes(marker));

function nodeProcesses(): string[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map((pid) => `${pid} ${commandLine(pid)}`)
    .filter(isNodeCommand);
}

/** A node's listening socket carries this mark: its process names the node's work folder or namespace. */
const NODE_SOCKET = ' (node)';

function lines(command: string, args: string[]): string[] {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean);
}

const sysctlFile = (name: string) => `/proc/sys/${name.replace(/\./g, '/')}`;

export function readSysctls(): Sysctls {
  return Object.fromEntries(
    GUARDED_SYSCTLS.map((name) => [name, fs.readFileSync(sysctlFile(name), 'utf8').trim()]),
  ) as Sysctls;
}

/** Writes back every saved value that differs; returns the names it had to restore. */
export function restoreSysctls(saved: Sysctls): string[] {
  const now = readSysctls();
  const changed = GUARDED_SYSCTLS.filter((name) => now[name] !== saved[name]);
  for (const name of changed) {
    fs.writeFileSync(sysctlFile(name), `${saved[name]}\n`);
  }
  return changed.map((name) => `${name} ${now[name]} -> ${saved[name]}`);
}

export function captureMachineState(): MachineState {
  return {
    netns: lines('ip', ['netns', 'list']),
    // Names and kinds only: counters and carrier state change on their own.
    links: lines('ip', ['-o', 'link', 'show'])
      .map((line) => line.split(/\s+/).slice(1, 2).join(' '))
      .sort(),
    sysctls: readSysctls(),
    // Comments carry timestamps and counters move with traffic; the rules themselves must not change.
    iptables: lines('iptables-save', [])
      .filter((line) => !line.startsWith('#'))
      .map((line) => line.replace(/\[\d+:\d+\]/g, '')),
    // "tcp 127.0.0.1:8080 kubectl (node)": protocol, address, the program listening, and the mark of the node's.
    listeners: lines('ss', ['-H', '-l', '-n', '-t', '-u', '-p'])
      .map((line) => {
        const [netid, , , , local, , users = ''] = line.split(/\s+/);
        const [, program = '-', pid = ''] = /\("([^"]+)",pid=(\d+)/.exec(users) ?? [];
        return `${netid} ${local} ${program}${pid && isNodeCommand(commandLine(pid)) ? NODE_SOCKET : ''}`;
      })
      .sort(),
    processes: nodeProcesses(),
    mounts: runMounts(),
    podCgroups: fs
      .readdirSync('/sys/fs/cgroup')
      .filter((name) => fs.existsSync(`/sys/fs/cgroup/${name}/kubepods`))
      .sort(),
  };
}

function difference(before: readonly string[], after: readonly string[]): string[] {
  const gone = before.filter((line) => !after.includes(line)).map((line) => `- ${line}`);
  const added = after.filter((line) => !before.includes(line)).map((line) => `+ ${line}`);
  return [...gone, ...added];
}

/** Differences between two captures, by kind: `- ` gone since `before`, `+ ` new in `after`. */
export function compareMachineState(before: MachineState, after: MachineState): Record<keyof MachineState, string[]> {
  return {
    netns: difference(before.netns, after.netns),
    links: difference(before.links, after.links),
    sysctls: GUARDED_SYSCTLS.filter((name) => before.sysctls[name] !== after.sysctls[name]).map(
      (name) => `${name}: ${before.sysctls[name]} -> ${after.sysctls[name]}`,
    ),
    iptables: difference(before.iptables, after.iptables),
    listeners: difference(before.listeners, after.listeners),
    processes: difference(before.processes, after.processes),
    mounts: difference(before.mounts, after.mounts),
    podCgroups: difference(before.podCgroups, after.podCgroups),
  };
}

/**
 * What a real-node run left on the machine since `before`, one `kind: ± line` each. Other programs
 * on a shared machine (another project's control plane, say) open and close sockets meanwhile: only
 * sockets of processes that name the node's work folder or namespace count; the others are listed apart.
 */
export function leftoversSince(
  before: MachineState,
  after: MachineState = captureMachineState(),
): { leftovers: string[]; otherSockets: string[] } {
  const diff = compareMachineState(before, after);
  const otherSockets = diff.listeners.filter((line) => !line.endsWith(NODE_SOCKET));
  diff.listeners = diff.listeners.filter((line) => !otherSockets.includes(line));
  const leftovers = (Object.keys(diff) as Array<keyof MachineState>).flatMap((kind) =>
    diff[kind].map((line) => `${kind}: ${line}`),
  );
  return { leftovers, otherSockets };
}
