// A real Kubernetes node for the lesson: containerd and runc, a bridge CNI, the kubelet, kube-proxy
// and CoreDNS, with the local control plane, all inside one network namespace this run creates.
// That namespace has a loopback, an interface for the node's address and the Pods' bridge,
// and no default route, so nothing the cluster does can reach beyond the machine.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { readSysctls, restoreSysctls, type Sysctls } from './machine-state';
import { nodeImages, PAUSE_IMAGE } from './node-images';
import { waitFor } from './steps';

const CLUSTER_DIR = path.resolve(__dirname, 'cluster');
const LOCALPLANE = path.join(CLUSTER_DIR, 'bin', 'localplane');
const COREDNS = path.join(CLUSTER_DIR, 'bin', 'coredns');
const CNI_BIN_DIR = '/usr/lib/cni';
const READY = /^localplane: ready kubeconfig=(\S+)/;

/** The node's own address, on an interface inside the namespace; CoreDNS answers on it too. */
export const NODE_IP = '10.201.0.2';
const NODE_NAME = 'k8s101-node';
/** The Pods' range on the bridge (a slice of the cluster's 10.244.0.0/16). */
const POD_SUBNET = '10.244.0.0/24';
const CLUSTER_CIDR = '10.244.0.0/16';
/** The control plane's Service range (see e2e/cluster/cmd/localplane/components.go). */
const SERVICE_CIDR = '10.96.0.0/16';
const BRIDGE = 'cni0';

/**
 * Folders the node's programs create at fixed places outside its work folder (containerd's shim
 * sockets, the CNI result cache, the kubelet's container log links). Each one that did not exist
 * before the run is removed after it.
 */
const FIXED_PATHS = ['/run/containerd', '/var/lib/cni', '/var/log/containers', '/var/log/pods'];

export interface RealNode {
  /** The admin kubeconfig; only usable inside the namespace. */
  readonly kubeconfig: string;
  /** Prefix that runs a command inside the node's network namespace. */
  readonly inside: readonly string[];
  /** Stops everything and removes what the run made; safe to call more than once. */
  stop(): void;
}

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
  const created = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (created.status !== 0) {
    return `cannot create a network namespace: ${created.stderr.trim()}`;
  }
  spawnSync('ip', ['netns', 'delete', probe]);
  return undefined;
}

function sh(args: string[], what: string): string {
  const result = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`${what}: ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  }
  return result.stdout;
}

/** Builds localplane (with the kubelet and kube-proxy) and CoreDNS, printing progress. */
export function buildNodeBinaries(): void {
  const build = spawnSync('bash', [path.join(CLUSTER_DIR, 'build.sh'), '--with-coredns'], { stdio: 'inherit' });
  if (build.status !== 0) {
    throw new Error(`building the node's programs failed (exit ${build.status}); see the output above`);
  }
}

/** pause.c, the sandbox process of every Pod, as shipped in the k8s.io/kubernetes module. */
function pauseSource(): string {
  const dir = sh(
    ['go', '-C', CLUSTER_DIR, 'list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'],
    'finding the k8s.io/kubernetes module',
  ).trim();
  return path.join(dir, 'build', 'pause', 'linux', 'pause.c');
}

function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter(
      (mountPoint): mountPoint is string => !!mountPoint && (mountPoint === dir || mountPoint.startsWith(`${dir}/`)),
    )
    .map((mountPoint) => mountPoint.replace(/\\040/g, ' '));
}

/** Processes whose command line names `dir`: everything this run started carries its work folder. */
function processesUsing(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return Number(pid) !== process.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function cgroupHierarchies(): string[] {
  return fs
    .readdirSync('/sys/fs/cgroup', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join('/sys/fs/cgroup', entry.name));
}

/** PIDs of every process in a cgroup tree. */
function cgroupProcesses(dir: string): number[] {
  const own = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  const nested = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => cgroupProcesses(path.join(dir, entry.name)));
  return [...own, ...nested];
}

/** Removes a cgroup tree bottom-up (cgroup folders go with rmdir, not by deleting their files). */
function removeCgroupTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      removeCgroupTree(path.join(dir, entry.name));
    }
  }
  fs.rmdirSync(dir);
}

function configFiles(work: string, kubeconfig: string): Record<string, string> {
  const sock = path.join(work, 'containerd', 'containerd.sock');
  return {
    'containerd.toml': `version = 2
root = "${work}/containerd/root"
state = "${work}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "${sock}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${work}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # The machine's root lacks CAP_SYS_RESOURCE, which the sandbox's negative OOM score would need.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${work}/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${work}/containerd/runc"
`,
    'cni/net.d/10-k8s101.conflist': JSON.stringify(
      {
        cniVersion: '1.0.0',
        name: 'k8s101',
        plugins: [
          {
            type: 'bridge',
            bridge: BRIDGE,
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: {
              type: 'host-local',
              ranges: [[{ subnet: POD_SUBNET }]],
              routes: [{ dst: '0.0.0.0/0' }],
              dataDir: `${work}/cni/ipam`,
            },
          },
        ],
      },
      null,
      2,
    ),
    'kubelet.yaml': `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://${sock}
clusterDNS: [${NODE_IP}]
clusterDomain: cluster.local
resolvConf: ${work}/resolv.conf
failSwapOn: false
podLogsDir: ${work}/pod-logs
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
serializeImagePulls: false
`,
    'kube-proxy.yaml': `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: ${CLUSTER_CIDR}
hostnameOverride: ${NODE_NAME}
bindAddress: ${NODE_IP}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: 0
clientConnection: {kubeconfig: ${kubeconfig}}
# The conntrack table size is a machine-wide setting: leave it alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
`,
    // No forwarder: names outside cluster.local get no answer rather than a query to the outside.
    Corefile: `.:53 {
    bind ${NODE_IP}
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
}
`,
    'resolv.conf': '',
  };
}

/**
 * Starts the node and the control plane, printing each step. `registerStop` receives the stop
 * function before anything starts, so that an interrupted start is cleaned up too. On any failure
 * everything started so far is stopped before the error is thrown.
 */
export async function startRealNode(
  log: (line: string) => void,
  registerStop: (stop: () => void) => void,
): Promise<RealNode> {
  const netns = `k8s101-e2e-${process.pid}`;
  const inside = ['nsenter', `--net=/run/netns/${netns}`, '--'];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s101-node-'));
  const logs = path.join(work, 'logs');
  const kubeconfig = path.join(work, 'plane', 'kubeconfig');
  const savedSysctls: Sysctls = readSysctls();
  const absentBefore = FIXED_PATHS.filter((dir) => !fs.existsSync(dir));
  const cgroupsBefore = new Set(cgroupHierarchies().filter((h) => fs.existsSync(path.join(h, 'kubepods'))));
  const children: Array<{ name: string; child: ChildProcess }> = [];
  let stopped = false;

  const stop = () => {
    if (stopped) {
      return;
    }
    stopped = true;
    const problems: string[] = [];
    const sock = path.join(work, 'containerd', 'containerd.sock');
    const isRunning = (pid: number) => {
      try {
        // A child that exited stays a zombie until Node reaps it, which it cannot do in this synchronous loop.
        return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
      } catch {
        return false;
      }
    };
    const stopChild = ({ name, child }: { name: string; child: ChildProcess }) => {
      if (!child.pid || !isRunning(child.pid)) {
        return;
      }
      process.kill(child.pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && isRunning(child.pid)) {
        spawnSync('sleep', ['0.1']);
      }
      if (isRunning(child.pid)) {
        problems.push(`${name} (pid ${child.pid}) ignored SIGTERM; killed`);
        process.kill(child.pid, 'SIGKILL');
      }
    };
    // The kubelet first, so that it restarts nothing; then the Pods' processes, which outlive both
    // the kubelet and containerd, through containerd; then containerd itself.
    for (const entry of [...children].reverse().filter(({ name }) => name !== 'containerd')) {
      stopChild(entry);
    }
    if (fs.existsSync(sock)) {
      const ctr = (...args: string[]) =>
        spawnSync('ctr', ['--address', sock, '--namespace', 'k8s.io', ...args], { encoding: 'utf8', timeout: 30_000 });
      const tasks = () => ctr('task', 'list', '--quiet').stdout?.split('\n').filter(Boolean) ?? [];
      for (const id of tasks()) {
        ctr('task', 'kill', '--signal', 'SIGKILL', id);
      }
      for (const id of tasks()) {
        ctr('task', 'delete', '--force', id);
      }
      for (const id of ctr('container', 'list', '--quiet').stdout?.split('\n').filter(Boolean) ?? []) {
        ctr('container', 'delete', id);
      }
    }
    children.filter(({ name }) => name === 'containerd').forEach(stopChild);
    // Shims and container processes that survived: stopped by PID, found by their work folder.
    for (const pid of processesUsing(work)) {
      try {
        process.kill(pid, 'SIGKILL');
        problems.push(`killed leftover process ${pid}`);
      } catch {
        // already gone
      }
    }
    // Container processes whose shim is gone: found by the Pods' cgroups.
    for (const hierarchy of cgroupHierarchies()) {
      const kubepods = path.join(hierarchy, 'kubepods');
      for (const pid of fs.existsSync(kubepods) && !cgroupsBefore.has(hierarchy) ? cgroupProcesses(kubepods) : []) {
        try {
          process.kill(pid, 'SIGKILL');
          problems.push(`killed leftover container process ${pid}`);
        } catch {
          // already gone
        }
      }
    }
    spawnSync('sleep', ['0.5']);
    // Overlay and shm mounts of the containers, deepest first, before their folders go.
    for (const mountPoint of mountsUnder(work).reverse()) {
      const result = spawnSync('umount', ['--lazy', mountPoint], { encoding: 'utf8' });
      if (result.status !== 0) {
        problems.push(`umount ${mountPoint}: ${result.stderr.trim()}`);
      }
    }
    // Sandbox namespaces of Pods that containerd had no chance to remove.
    for (const entry of fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : []) {
      if (entry === netns || (entry.startsWith('cni-') && netnsBefore !== undefined && !netnsBefore.includes(entry))) {
        spawnSync('umount', [`/run/netns/${entry}`]);
        spawnSync('ip', ['netns', 'delete', entry]);
      }
    }
    for (const hierarchy of cgroupHierarchies()) {
      const kubepods = path.join(hierarchy, 'kubepods');
      if (!cgroupsBefore.has(hierarchy) && fs.existsSync(kubepods)) {
        try {
          removeCgroupTree(kubepods);
        } catch (error) {
          problems.push(`cgroup ${kubepods}: ${(error as Error).message}`);
        }
      }
    }
    for (const dir of absentBefore) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const restored = restoreSysctls(savedSysctls);
    if (restored.length) {
      log(`node: restored ${restored.join(', ')}`);
    }
    if (process.env.K8S101_KEEP_NODE_LOGS) {
      fs.cpSync(logs, process.env.K8S101_KEEP_NODE_LOGS, { recursive: true });
    }
    fs.rmSync(work, { recursive: true, force: true });
    for (const problem of problems) {
      log(`node: ${problem}`);
    }
    log('node: stopped; namespace, mounts, cgroups, processes and settings cleaned up');
  };

  registerStop(stop);

  /** Starts a long-running program inside the namespace, its output into logs/<name>.log. */
  const launch = (name: string, command: string[], onLine?: (line: string) => void) => {
    const out = fs.openSync(path.join(logs, `${name}.log`), 'a');
    // A process group of its own: a Ctrl-C at the terminal reaches this run, which then stops the
    // node in order, instead of every daemon at once.
    const child = spawn(inside[0], [...inside.slice(1), ...command], {
      stdio: ['ignore', onLine ? 'pipe' : out, onLine ? 'pipe' : out],
      detached: true,
    });
    fs.closeSync(out);
    children.push({ name, child });
    if (onLine) {
      const append = (line: string) => {
        // Lines still in the pipe when the work folder is gone are not worth a crash.
        if (!stopped) {
          fs.appendFileSync(path.join(logs, `${name}.log`), `${line}\n`);
          onLine(line);
        }
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) {
          readline.createInterface({ input: stream }).on('line', append);
        }
      }
    }
    return child;
  };
  const tail = (name: string) => {
    const file = path.join(logs, `${name}.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  };
  const alive = (name: string) => {
    const entry = children.find((c) => c.name === name);
    if (entry && (entry.child.exitCode !== null || entry.child.signalCode !== null)) {
      throw new Error(`${name} exited (${entry.child.exitCode ?? entry.child.signalCode}):\n${tail(name)}`);
    }
  };
  let netnsBefore: string[] | undefined;

  try {
    netnsBefore = fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns') : [];
    fs.mkdirSync(logs);
    for (const [file, text] of Object.entries(configFiles(work, kubeconfig))) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), text);
    }

    log(`node: network namespace ${netns} (loopback, ${NODE_IP} on a namespace-internal interface, no default route)`);
    // Created before containerd starts, so that the Pods' namespaces under /run/netns are shared mounts.
    sh(['ip', 'netns', 'add', netns], 'creating the network namespace');
    const inNs = (...args: string[]) => sh([...inside, ...args], 'setting up the network namespace');
    inNs('ip', 'link', 'set', 'lo', 'up');
    // A veth pair with both ends inside: this kernel has no dummy interfaces, and the address needs a device.
    inNs('ip', 'link', 'add', 'node0', 'type', 'veth', 'peer', 'name', 'node0-peer');
    inNs('ip', 'link', 'set', 'node0-peer', 'up');
    inNs('ip', 'addr', 'add', `${NODE_IP}/32`, 'dev', 'node0');
    inNs('ip', 'link', 'set', 'node0', 'up');
    // Node-local clients need a route to ClusterIPs before kube-proxy's rules can rewrite them.
    inNs('ip', 'route', 'add', SERVICE_CIDR, 'dev', 'node0');
    // Replies between Pods on the same bridge must pass through kube-proxy's NAT rules.
    inNs('sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv4.ip_forward=1');

    log('node: building images (cached by a hash of their inputs)');
    const images = nodeImages(pauseSource(), log);

    log('node: starting containerd');
    launch('containerd', ['containerd', '--config', path.join(work, 'containerd.toml')]);
    const sock = path.join(work, 'containerd', 'containerd.sock');
    await waitFor(
      'containerd to answer',
      () => {
        alive('containerd');
        return spawnSync('ctr', ['--address', sock, 'version'], { stdio: 'ignore' }).status === 0 ? true : undefined;
      },
      60_000,
    );
    for (const image of images) {
      const started = Date.now();
      sh(
        ['ctr', '--address', sock, '--namespace', 'k8s.io', 'image', 'import', image.archive],
        `importing ${image.name}`,
      );
      log(`node: imported ${image.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }

    log('node: starting the control plane');
    let ready: string | undefined;
    launch('localplane', [LOCALPLANE, 'up', '--dir', path.join(work, 'plane'), '--node', 'none'], (line) => {
      log(`    ${line}`);
      ready = READY.exec(line)?.[1] ?? ready;
    });
    await waitFor(
      'the control plane',
      () => {
        alive('localplane');
        return ready;
      },
      180_000,
    );

    log('node: starting the kubelet, kube-proxy and CoreDNS');
    launch('kubelet', [
      LOCALPLANE,
      'kubelet',
      '--config',
      path.join(work, 'kubelet.yaml'),
      '--kubeconfig',
      kubeconfig,
      '--hostname-override',
      NODE_NAME,
      '--node-ip',
      NODE_IP,
      '--root-dir',
      path.join(work, 'kubelet'),
      '--cert-dir',
      path.join(work, 'kubelet', 'pki'),
    ]);
    launch('kube-proxy', [LOCALPLANE, 'kube-proxy', '--config', path.join(work, 'kube-proxy.yaml')]);
    launch('coredns', [COREDNS, '-conf', path.join(work, 'Corefile')]);

    const started = Date.now();
    let lastSaid = Date.now();
    await waitFor(
      `node ${NODE_NAME} Ready`,
      () => {
        for (const name of ['kubelet', 'kube-proxy', 'coredns']) {
          alive(name);
        }
        const status = spawnSync(
          inside[0],
          [
            ...inside.slice(1),
            'kubectl',
            '--kubeconfig',
            kubeconfig,
            'get',
            'node',
            NODE_NAME,
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ],
          { encoding: 'utf8' },
        ).stdout;
        if (Date.now() - lastSaid > 5000) {
          lastSaid = Date.now();
          log(`node: still waiting for ${NODE_NAME} Ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        }
        return status === 'True' ? true : undefined;
      },
      120_000,
    );
    log(`node: ${NODE_NAME} Ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { kubeconfig, inside, stop };
  } catch (error) {
    const logsOf = children.map(({ name }) => `--- ${name}\n${tail(name)}`).join('\n');
    stop();
    throw new Error(`${(error as Error).message}\n${logsOf}`);
  }
}
