// The configuration files of the real node's programs, written into the run's work folder. Every
// path they name is inside that folder, so that the run's state stays in one place.
import * as path from 'node:path';
import { PAUSE_IMAGE } from './node-images';

/** Where Debian's containernetworking-plugins package puts the CNI plugins. */
export const CNI_BIN_DIR = '/usr/lib/cni';
/** The node's own address, on an interface inside the namespace; CoreDNS answers on it too. */
export const NODE_IP = '10.201.0.2';
export const NODE_NAME = 'k8s101-node';
/** The Pods' range on the bridge (a slice of the cluster's 10.244.0.0/16). */
const POD_SUBNET = '10.244.0.0/24';
const CLUSTER_CIDR = '10.244.0.0/16';
/** The control plane's Service range (see e2e/cluster/cmd/localplane/components.go). */
export const SERVICE_CIDR = '10.96.0.0/16';
const BRIDGE = 'cni0';

/** containerd's socket in the work folder. */
export const containerdSocket = (work: string) => path.join(work, 'containerd', 'containerd.sock');

function containerdConfig(work: string): string {
  const sock = containerdSocket(work);
  return `version = 2
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
`;
}

function cniConfig(work: string): string {
  return JSON.stringify(
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
  );
}

function kubeletConfig(work: string): string {
  const sock = containerdSocket(work);
  return `apiVersion: kubelet.config.k8s.io/v1beta1
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
`;
}

function kubeProxyConfig(kubeconfig: string): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
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
`;
}

// No forwarder: names outside cluster.local get no answer rather than a query to the outside.
function corefile(kubeconfig: string): string {
  return `.:53 {
    bind ${NODE_IP}
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
}
`;
}

/** The files to write, by their path relative to the work folder. */
export function nodeConfigFiles(work: string, kubeconfig: string): Record<string, string> {
  return {
    'containerd.toml': containerdConfig(work),
    'cni/net.d/10-k8s101.conflist': cniConfig(work),
    'kubelet.yaml': kubeletConfig(work),
    'kube-proxy.yaml': kubeProxyConfig(kubeconfig),
    Corefile: corefile(kubeconfig),
    'resolv.conf': '',
  };
}
