import { expectedCapEff } from '../e2e/capabilities';
import { compareMachineState, leftoversSince, type MachineState } from '../e2e/machine-state';

describe('the CapEff a container should show', () => {
  it("is the homepage's five added capabilities as the kernel prints them", () => {
    expect(expectedCapEff(['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'])).toBe('00000000000004c3');
  });

  it('is all zeros when every capability is dropped', () => {
    expect(expectedCapEff([])).toBe('0000000000000000');
  });

  it('accepts the CAP_ prefix', () => {
    expect(expectedCapEff(['CAP_NET_BIND_SERVICE'])).toBe('0000000000000400');
  });

  it('names a capability it does not know', () => {
    expect(() => expectedCapEff(['NET_BIND'])).toThrow('unknown capability NET_BIND');
  });
});

describe('comparing the machine before and after a real-node run', () => {
  const before: MachineState = {
    netns: [],
    links: ['lo:', 'eth0@if2:'],
    sysctls: {
      'vm.overcommit_memory': '0',
      'kernel.panic': '1',
      'kernel.panic_on_oops': '0',
      'net.ipv4.ip_forward': '0',
    },
    iptables: ['*filter', 'COMMIT'],
    listeners: ['tcp 0.0.0.0:22 sshd'],
    processes: [],
    mounts: ['/run/netns'],
    podCgroups: [],
  };

  it('finds nothing when nothing changed', () => {
    const diff = compareMachineState(before, { ...before });
    expect(Object.values(diff).flat()).toEqual([]);
  });

  it('names each leftover by kind', () => {
    const diff = compareMachineState(before, {
      ...before,
      netns: ['k8s101-e2e-1'],
      links: [...before.links, 'cni0:'],
      sysctls: { ...before.sysctls, 'kernel.panic': '10' },
      iptables: ['*filter', '-A FORWARD -j KUBE-FORWARD', 'COMMIT'],
      processes: ['42 containerd --config /tmp/k8s101-node-x/containerd.toml'],
      mounts: ['/run/netns', '/run/netns/cni-1234'],
      podCgroups: ['memory'],
    });
    expect(diff).toEqual({
      netns: ['+ k8s101-e2e-1'],
      links: ['+ cni0:'],
      sysctls: ['kernel.panic: 1 -> 10'],
      iptables: ['+ -A FORWARD -j KUBE-FORWARD'],
      listeners: [],
      processes: ['+ 42 containerd --config /tmp/k8s101-node-x/containerd.toml'],
      mounts: ['+ /run/netns/cni-1234'],
      podCgroups: ['+ memory'],
    });
  });

  it('reports what disappeared too', () => {
    expect(compareMachineState(before, { ...before, listeners: [] }).listeners).toEqual(['- tcp 0.0.0.0:22 sshd']);
  });

  it("counts only the node's own sockets: another program's control plane on the machine is listed apart", () => {
    const after = {
      ...before,
      listeners: [...before.listeners, 'tcp 127.0.0.1:34621 localplane', 'tcp 127.0.0.1:8090 kubectl (node)'],
    };
    expect(leftoversSince(before, after)).toEqual({
      leftovers: ['listeners: + tcp 127.0.0.1:8090 kubectl (node)'],
      otherSockets: ['+ tcp 127.0.0.1:34621 localplane'],
    });
  });
});
