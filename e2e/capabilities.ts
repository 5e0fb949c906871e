// How a container's capability list reads in /proc/<pid>/status, so that the replay can check
// the process the runtime started against the securityContext in dist/.

// Bit numbers of the Linux capabilities (include/uapi/linux/capability.h), for reading CapEff.
const CAPABILITY_BITS: Record<string, number> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  DAC_READ_SEARCH: 2,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  LINUX_IMMUTABLE: 9,
  NET_BIND_SERVICE: 10,
  NET_BROADCAST: 11,
  NET_ADMIN: 12,
  NET_RAW: 13,
  IPC_LOCK: 14,
  IPC_OWNER: 15,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  SYS_PACCT: 20,
  SYS_ADMIN: 21,
  SYS_BOOT: 22,
  SYS_NICE: 23,
  SYS_RESOURCE: 24,
  SYS_TIME: 25,
  SYS_TTY_CONFIG: 26,
  MKNOD: 27,
  LEASE: 28,
  AUDIT_WRITE: 29,
  AUDIT_CONTROL: 30,
  SETFCAP: 31,
};

/** The CapEff line a process gets from a container that drops ALL and adds `added`. */
export function expectedCapEff(added: readonly string[]): string {
  const mask = added.reduce((bits, name) => {
    const bit = CAPABILITY_BITS[name.replace(/^CAP_/, '')];
    if (bit === undefined) {
      throw new Error(`unknown capability ${name}`);
    }
    return bits | (1n << BigInt(bit));
  }, 0n);
  return mask.toString(16).padStart(16, '0');
}
