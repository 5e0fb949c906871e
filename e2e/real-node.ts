// A real Kubernetes node for the replay: containerd and runc, a bridge CNI, the kubelet, kube-proxy
// and CoreDNS, with the local control plane, all inside one network namespace this run creates.
// That namespace has a loopback, an interface for the node's address and the Pods' bridge,
// and no default route, so nothing the cluster does can reach beyond the machine.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { readSysctls } from './machine-state';
import { CNI_BIN_DIR, containerdSocket, NODE_IP, NODE_NAME, nodeConfigFiles, SERVICE_CIDR } from './node-config';
import { type NodeGuard, startNodeGuard } from './node-guard';
import { type ImageArchive, nodeImages } from './node-images';
import { processStart, type RunState, removeRunState, writeRunState } from './run-state';
import { waitFor } from './wait-for';

const CLUSTER_DIR = path.resolve(__dirname, 'cluster');
const LOCALPLANE = path.join(CLUSTER_DIR, 'bin', 'localplane');
const COREDNS = path.join(CLUSTER_DIR, 'bin', 'coredns');
const READY = /^localplane: ready kubeconfig=(\S+)/;

/**
 * Folders the node's programs create at fixed places outside its work folder (containerd's shim
 * sockets, the CNI result cache, the kubelet's container log links), and the folder of the
 * network namespaces. Each one that did not exist before the run is removed after it.
 */
const FIXED_PATHS = ['/run/containerd', '/var/lib/cni', '/var/log/containers', '/var/log/pods', '/run/netns'];

/** Why this machine cannot run the real node, or undefined when it can. */
export function realNodeUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return 'running containers needs root on Linux (network namespaces, mounts, cgroups)';
  }
  const missing = [
    ['containerd', 'containerd'],
    ['runc', 'runc'],
    ['ctr', 'containerd'],
    ['mmdebstrap', 'mmdebstrap'],
    ['iptables', 'iptables'],
    ['nsenter', 'util-linux'],
    ['setpriv', 'util-linux'],
    ['gcc', 'gcc'],
  ]
    .filter(([command]) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0)
    .map(([, pkg]) => pkg);
  if (!fs.existsSync(path.join(CNI_BIN_DIR, 'bridge'))) {
    missing.push('containernetworking-plugins');
  }
  if (missing.length) {
    return `missing Debian packages: ${[...new Set(missing)].join(' ')}`;
  }
  const probe = `k8s101-probe-${process.pid}`;
  const netnsDirBefore = fs.existsSync('/run/netns');
  const created = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'delete', probe]);
  if (!netnsDirBefore && fs.existsSync('/run/netns')) {
    // `ip netns add` made /run/netns a mount point of its own: the probe leaves no trace.
    spawnSync('umount', ['--lazy', '/run/netns']);
    fs.rmSync('/run/netns', { recursive: true, force: true });
  }
  return created.status === 0 ? undefined : `cannot create a network namespace: ${created.stderr.trim()}`;
}

function sh(args: string[], what: string): string {
  const result = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 120_000 });
  if (result.error || result.status !== 0) {
    throw new Error(`${what}: ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  }
  return result.stdout;
}

/** pause.c, the sandbox process of every Pod, as shipped in the k8s.io/kubernetes module. */
function pauseSource(): string {
  const dir = sh(
    ['go', '-C', CLUSTER_DIR, 'list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'],
    'finding the k8s.io/kubernetes module',
  ).trim();
  return path.join(dir, 'build', 'pause', 'linux', 'pause.c');
}

/** A long-running program of the node. */
interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
}

/**
 * The real node of one run. `start()` and `stop()` are its two phases. Before `start()` changes
 * anything it writes the run's state file and starts the guard (`node-guard.ts`), which restores the
 * machine when `stop()` releases it or when this process dies in any other way. Every program it
 * starts gets SIGKILL from the kernel when this process dies (`setpriv --pdeathsig KILL`).
 */
export class RealNode {
  readonly netns = `k8s101-e2e-${process.pid}`;
  /** Prefix that runs a command inside the node's network namespace, killed if this process dies. */
  readonly inside: readonly string[];
  readonly work = path.join(os.tmpdir(), `k8s101-node-${process.pid}-${Date.now().toString(36)}`);
  /** The admin kubeconfig; only usable inside the namespace. */
  readonly kubeconfig = path.join(this.work, 'plane', 'kubeconfig');
  private readonly logs = path.join(this.work, 'logs');
  private readonly daemons: Daemon[] = [];
  private guard?: NodeGuard;
  private stopping?: Promise<void>;

  constructor(private readonly log: (line: string) => void) {
    this.inside = ['setpriv', '--pdeathsig', 'KILL', 'nsenter', `--net=/run/netns/${this.netns}`, '--'];
  }

  /** Phase "start the node": images, state file and guard, namespace, containerd, control plane, node Ready. */
  async start(): Promise<void> {
    this.log('node: building images (cached by a hash of their inputs)');
    const images = nodeImages(pauseSource(), this.log);
    await this.guardRun();
    try {
      this.createNetworkNamespace();
      await this.startContainerd(images);
      await this.startControlPlane();
      await this.startNodeAgents();
    } catch (error) {
      const logs = this.daemons.map(({ name }) => `--- ${name}\n${this.tail(name)}`).join('\n');
      await this.stop();
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
  }

  /** Phase "stop the node": releases the guard, which stops everything and restores the machine. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (process.env.K8S101_KEEP_NODE_LOGS && fs.existsSync(this.logs)) {
        fs.cpSync(this.logs, process.env.K8S101_KEEP_NODE_LOGS, { recursive: true });
      }
      if (!this.guard) {
        return;
      }
      const { done, problems } = await this.guard.release();
      this.log(`node: stopped and the machine restored: ${done.join(', ')}`);
      for (const problem of problems) {
        this.log(`node: not restored: ${problem}`);
      }
    })();
    return this.stopping;
  }

  /** Writes the state file, before anything changes, and starts the guard that acts on it. */
  private async guardRun(): Promise<void> {
    const cgroups = fs.readdirSync('/sys/fs/cgroup');
    const state: RunState = {
      pid: process.pid,
      pidStart: processStart(process.pid) ?? '',
      netns: this.netns,
      work: this.work,
      sysctls: readSysctls(),
      absentBefore: FIXED_PATHS.filter((dir) => !fs.existsSync(dir)),
      netnsBefore: fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : [],
      podCgroupsBefore: cgroups.filter((name) => fs.existsSync(`/sys/fs/cgroup/${name}/kubepods`)),
    };
    const file = writeRunState(state);
    try {
      this.guard = await startNodeGuard(file);
    } catch (error) {
      removeRunState(state);
      throw error;
    }
    writeRunState({ ...state, guard: { pid: this.guard.pid, pidStart: this.guard.pidStart } });
    this.log(`node: state in ${file}; guard ${this.guard.pid} restores the machine when this run ends`);
    fs.mkdirSync(this.logs, { recursive: true });
    fs.mkdirSync(path.join(this.work, 'tmp'));
    for (const [file, text] of Object.entries(nodeConfigFiles(this.work, this.kubeconfig))) {
      fs.mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
      fs.writeFileSync(path.join(this.work, file), text);
    }
  }

  private createNetworkNamespace(): void {
    this.log(
      `node: network namespace ${this.netns} (loopback, ${NODE_IP} on a namespace-internal interface, no default route)`,
    );
    // Created before containerd starts, so that the Pods' namespaces under /run/netns are shared mounts.
    sh(['ip', 'netns', 'add', this.netns], 'creating the network namespace');
    const inNs = (...args: string[]) => sh([...this.inside, ...args], 'setting up the network namespace');
    inNs('ip', 'link', 'set', 'lo', 'up');
    // A veth pair with both ends inside: this kernel has no dummy interfaces, and the address needs a device.
    inNs('ip', 'link', 'add', 'node0', 'type', 'veth', 'peer', 'name', 'node0-peer');
    inNs('ip', 'link', 'set', 'node0-peer', 'up');
    inNs('ip', 'addr', 'add', `${NODE_IP}/32`, 'dev', 'node0');
    inNs('ip', 'link', 'set', 'node0', 'up');
    // Node-local clients need a route to ClusterIPs before kube-proxy's rules can rewrite them.
    inNs('ip', 'route', 'add', SERVICE_CIDR, 'dev', 'node0');
    // Replies between Pods on the same bridge must pass through kube-proxy's NAT rules (settings of
    // this namespace only).
    inNs('sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv4.ip_forward=1');
  }

  private async startContainerd(images: ImageArchive[]): Promise<void> {
    this.log('node: starting containerd');
    this.launch('containerd', ['containerd', '--config', path.join(this.work, 'containerd.toml')]);
    const sock = containerdSocket(this.work);
    await waitFor(
      'containerd to answer',
      () => {
        this.alive('containerd');
        const version = spawnSync('ctr', ['--address', sock, 'version'], { stdio: 'ignore', timeout: 10_000 });
        return version.status === 0 ? true : undefined;
      },
      60_000,
    );
    for (const image of images) {
      const started = Date.now();
      sh(
        ['ctr', '--address', sock, '--namespace', 'k8s.io', 'image', 'import', image.archive],
        `importing ${image.name}`,
      );
      this.log(`node: imported ${image.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  }

  private async startControlPlane(): Promise<void> {
    this.log('node: starting the control plane');
    let ready: string | undefined;
    const plane = path.join(this.work, 'plane');
    this.launch('localplane', [LOCALPLANE, 'up', '--dir', plane, '--node', 'none'], (line) => {
      this.log(`    ${line}`);
      ready = READY.exec(line)?.[1] ?? ready;
    });
    await waitFor(
      'the control plane',
      () => {
        this.alive('localplane');
        return ready;
      },
      180_000,
    );
  }

  private async startNodeAgents(): Promise<void> {
    this.log('node: starting the kubelet, kube-proxy and CoreDNS');
    const { work, kubeconfig } = this;
    this.launch('kubelet', [
      ...[LOCALPLANE, 'kubelet', '--config', path.join(work, 'kubelet.yaml'), '--kubeconfig', kubeconfig],
      ...['--hostname-override', NODE_NAME, '--node-ip', NODE_IP],
      ...['--root-dir', path.join(work, 'kubelet'), '--cert-dir', path.join(work, 'kubelet', 'pki')],
    ]);
    this.launch('kube-proxy', [LOCALPLANE, 'kube-proxy', '--config', path.join(work, 'kube-proxy.yaml')]);
    this.launch('coredns', [COREDNS, '-conf', path.join(work, 'Corefile')]);
    const started = Date.now();
    let lastSaid = Date.now();
    const nodeReady = ['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'];
    await waitFor(
      `node ${NODE_NAME} Ready`,
      () => {
        for (const name of ['kubelet', 'kube-proxy', 'coredns']) {
          this.alive(name);
        }
        const status = spawnSync(
          this.inside[0],
          [...this.inside.slice(1), 'kubectl', '--kubeconfig', kubeconfig, ...nodeReady],
          {
            encoding: 'utf8',
            timeout: 20_000,
          },
        ).stdout;
        if (Date.now() - lastSaid > 5000) {
          lastSaid = Date.now();
          this.log(`node: still waiting for ${NODE_NAME} Ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        }
        return status === 'True' ? true : undefined;
      },
      120_000,
    );
    this.log(`node: ${NODE_NAME} Ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Starts a long-running program inside the namespace, its output into logs/<name>.log. */
  private launch(name: string, command: string[], onLine?: (line: string) => void): void {
    if (this.stopping) {
      throw new Error(`the node is stopping: ${name} not started`);
    }
    const logFile = path.join(this.logs, `${name}.log`);
    const out = fs.openSync(logFile, 'a');
    // A process group of its own: a Ctrl-C at the terminal reaches this run, which then releases the
    // guard, instead of every daemon at once. TMPDIR keeps their temporary files in the work folder.
    const child = spawn(this.inside[0], [...this.inside.slice(1), ...command], {
      stdio: ['ignore', onLine ? 'pipe' : out, onLine ? 'pipe' : out],
      detached: true,
      env: { ...process.env, TMPDIR: path.join(this.work, 'tmp') },
    });
    fs.closeSync(out);
    this.daemons.push({ name, child });
    for (const stream of onLine ? [child.stdout, child.stderr] : []) {
      readline.createInterface({ input: stream! }).on('line', (line) => {
        // Lines still in the pipe when the work folder is gone are not worth a crash.
        if (!this.stopping) {
          fs.appendFileSync(logFile, `${line}\n`);
          onLine?.(line);
        }
      });
    }
  }

  private tail(name: string): string {
    const file = path.join(this.logs, `${name}.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  }

  private alive(name: string): void {
    const daemon = this.daemons.find((d) => d.name === name);
    if (daemon && (daemon.child.exitCode !== null || daemon.child.signalCode !== null)) {
      throw new Error(`${name} exited (${daemon.child.exitCode ?? daemon.child.signalCode}):\n${this.tail(name)}`);
    }
  }
}
