import { childPath, type Finding, findingAt } from '../findings';
import {
  arrayOf,
  detached,
  type JsonObject,
  type ManifestDocument,
  objectRef,
  plainObject,
  sameNamespace,
  stringAt,
  valueAt,
} from '../manifest-model';
import { referenceRule } from './rule';

/** An Ingress backend's Service, as the rule keeps it. */
export interface BackendRef {
  /** e.g. `spec.rules[0].http.paths[1].backend.service`. */
  readonly path: string;
  readonly name: string;
  readonly port: { readonly number?: number; readonly name?: string };
  /** The HTTP path routed to it, e.g. `/api`; absent for the default backend. */
  readonly httpPath?: string;
}

/** A Service port, as the rule keeps it. */
export interface ServicePortRef {
  readonly port?: number;
  readonly name?: string;
}

/** What the rule keeps: an Ingress's backends, or a Service's name and ports. */
export type KeptForIngress =
  | {
      readonly kind: 'Ingress';
      readonly file: string;
      readonly ref: string;
      readonly namespace?: string;
      readonly backends: readonly BackendRef[];
    }
  | { readonly kind: 'Service'; readonly name: string; readonly namespace?: string; readonly ports: ServicePortRef[] };

function backendOf(backend: unknown, path: string, httpPath?: unknown): BackendRef[] {
  const service = plainObject(plainObject(backend)?.service);
  const name = service?.name;
  if (typeof name !== 'string') {
    return [];
  }
  const port = plainObject(service?.port) ?? {};
  return [
    {
      path: childPath(path, 'service'),
      name,
      port: {
        ...(typeof port.number === 'number' ? { number: port.number } : {}),
        ...(typeof port.name === 'string' ? { name: port.name } : {}),
      },
      ...(typeof httpPath === 'string' ? { httpPath } : {}),
    },
  ];
}

/** The Service backends of an Ingress (networking.k8s.io/v1): its default backend and every path's. */
export function backendsOf(ingress: JsonObject): BackendRef[] {
  const backends = backendOf(valueAt(ingress, 'spec.defaultBackend'), 'spec.defaultBackend');
  arrayOf(valueAt(ingress, 'spec.rules')).forEach((rule, ruleIndex) => {
    arrayOf(valueAt(plainObject(rule), 'http.paths')).forEach((entry, pathIndex) => {
      backends.push(
        ...backendOf(
          plainObject(entry)?.backend,
          `spec.rules[${ruleIndex}].http.paths[${pathIndex}].backend`,
          plainObject(entry)?.path,
        ),
      );
    });
  });
  return backends;
}

const portText = (port: BackendRef['port']) =>
  port.name !== undefined ? `port ${JSON.stringify(port.name)}` : `port ${port.number}`;

/**
 * Each Service an Ingress sends traffic to, and the port it names. Source: networking.k8s.io/v1
 * IngressServiceBackend: `port.number` is a Service `port` (not a targetPort), `port.name` a
 * Service port's name; kube-linter's `dangling-ingress` checks the name.
 */
export const ingressBackendRule = referenceRule<KeptForIngress>({
  name: 'ingress-backend',
  checks:
    "each Service backend of an Ingress (`spec.defaultBackend` and every path's) names a Service of the set, in the Ingress's namespace, and a port of it: `port.number` one of its `port`s, `port.name` one of its port names. A Service not in the set is a warning (it may live in the cluster); a port the Service in the set does not have is an error",
  remediation:
    "name a Service of the app in the backend, and one of that Service's ports (its port, not its targetPort)",
  keep(doc: ManifestDocument) {
    const { object } = doc;
    const namespace = stringAt(object, 'metadata.namespace');
    if (
      object.kind === 'Ingress' &&
      typeof object.apiVersion === 'string' &&
      object.apiVersion.startsWith('networking.k8s.io/')
    ) {
      const backends = backendsOf(object);
      return backends.length
        ? [detached({ kind: 'Ingress' as const, file: doc.file, ref: objectRef(object), namespace, backends })]
        : [];
    }
    const name = stringAt(object, 'metadata.name');
    if (object.kind !== 'Service' || name === undefined) {
      return [];
    }
    const ports = arrayOf(valueAt(object, 'spec.ports')).map((entry): ServicePortRef => {
      const port = plainObject(entry);
      return {
        ...(typeof port?.port === 'number' ? { port: port.port } : {}),
        ...(typeof port?.name === 'string' ? { name: port.name } : {}),
      };
    });
    return [detached({ kind: 'Service' as const, name, namespace, ports })];
  },
  check(kept) {
    const services = kept.filter((k) => k.kind === 'Service');
    const findings: Finding[] = [];
    for (const ingress of kept) {
      if (ingress.kind !== 'Ingress') {
        continue;
      }
      for (const backend of ingress.backends) {
        const place = { file: ingress.file, object: ingress.ref };
        const service = services.find((s) => s.name === backend.name && sameNamespace(s.namespace, ingress.namespace));
        if (!service) {
          findings.push(
            findingAt(
              place,
              'ingress-backend',
              childPath(backend.path, 'name'),
              `Service ${JSON.stringify(backend.name)} is not in the set: it must exist in the cluster, in the Ingress's namespace`,
              'warning',
            ),
          );
          continue;
        }
        const { port } = backend;
        const answers = service.ports.some((p) =>
          port.name !== undefined ? p.name === port.name : p.port === port.number,
        );
        if (!answers && (port.name !== undefined || port.number !== undefined)) {
          const offered = service.ports.map((p) => (p.name ? `${p.port} (${p.name})` : `${p.port}`));
          findings.push(
            findingAt(
              place,
              'ingress-backend',
              childPath(backend.path, port.name !== undefined ? 'port.name' : 'port.number'),
              `${portText(port)} is not a port of Service/${service.name}, which offers ${offered.length ? offered.join(', ') : 'no ports'}`,
            ),
          );
        }
      }
    }
    return findings;
  },
});
