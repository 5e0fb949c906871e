import { type SpawnSyncReturns, spawnSync } from 'node:child_process';

/** How kubectl reaches the cluster under test: always explicit, never the current context. */
export interface ClusterAccess {
  /** A kubeconfig file of its own (the local control plane). */
  readonly kubeconfig?: string;
  /** A context of the user's kubeconfig, named on the command line. */
  readonly context?: string;
  /** The throwaway namespace every command runs in; it enforces the Pod Security "baseline" level. */
  readonly namespace: string;
  /**
   * A command prefix that runs kubectl inside the network namespace of the real node, whose
   * API server and Pod and Service addresses exist only there.
   * @default [] (kubectl runs on the host)
   */
  readonly inside?: readonly string[];
}

/** The program and arguments that run `command` where the cluster is reachable. */
export function where(access: ClusterAccess, command: string, args: readonly string[]): [string, string[]] {
  const inside = access.inside ?? [];
  return inside.length ? [inside[0], [...inside.slice(1), command, ...args]] : [command, [...args]];
}

/** Flags that point kubectl at the cluster and namespace under test. */
export function accessFlags(access: ClusterAccess, withNamespace = true): string[] {
  return [
    ...(access.kubeconfig ? ['--kubeconfig', access.kubeconfig] : []),
    ...(access.context ? ['--context', access.context] : []),
    ...(withNamespace ? ['--namespace', access.namespace] : []),
  ];
}

/** Environment for child commands: a local kubeconfig replaces the user's, so nothing can reach it. */
export function accessEnv(access: ClusterAccess): NodeJS.ProcessEnv {
  return access.kubeconfig ? { ...process.env, KUBECONFIG: access.kubeconfig } : { ...process.env };
}

export class Kubectl {
  /**
   * @param deadline when the current step must be over (ms since the epoch): each command gets the
   * time left, at least 5 s and at most 2 min.
   */
  constructor(
    private readonly access: ClusterAccess,
    private readonly deadline: () => number = () => Date.now() + 120_000,
  ) {}

  /** Runs kubectl; throws with its output unless it exits with one of `okCodes`. */
  run(
    args: readonly string[],
    options: { namespaced?: boolean; okCodes?: number[]; input?: string } = {},
  ): SpawnSyncReturns<string> {
    const fullArgs = [...accessFlags(this.access, options.namespaced ?? true), ...args];
    const result = spawnSync(...where(this.access, 'kubectl', fullArgs), {
      encoding: 'utf8',
      env: accessEnv(this.access),
      input: options.input,
      timeout: Math.max(5_000, Math.min(120_000, this.deadline() - Date.now())),
    });
    if (result.error) {
      throw new Error(`kubectl ${args.join(' ')}: ${result.error.message}`);
    }
    if (!(options.okCodes ?? [0]).includes(result.status ?? -1)) {
      throw new Error(`kubectl ${args.join(' ')} exited ${result.status}:\n${(result.stderr || result.stdout).trim()}`);
    }
    return result;
  }

  /** Standard output of a kubectl command that must succeed. */
  out(...args: string[]): string {
    return this.run(args).stdout.trim();
  }

  /** IP addresses of a Service's ready endpoints, sorted. */
  endpointIps(service: string): string[] {
    const ips = this.out('get', 'endpoints', service, '-o', 'jsonpath={.subsets[*].addresses[*].ip}');
    return ips.split(/\s+/).filter(Boolean).sort();
  }
}
