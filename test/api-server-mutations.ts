/**
 * Mutations of valid objects for the API server differential test: names for each kind, port
 * names and numbers, targetPorts, label keys and values, selectors (LabelSelectors and the label
 * maps of Services and ReplicationControllers), wrong types and unknown fields. Each mutation
 * names the rule of the checker that claims its field. Seeded: a failure names a mutation that
 * can be generated again.
 */
import type { RuleName } from '../checker/rule-names';
import { seeded } from './yaml-cases';

type Json = Record<string, any>;
type Random = (below: number) => number;

/** One object for the server, with the rule that claims what was changed. */
export interface Mutation {
  readonly rule: RuleName;
  readonly change: string;
  readonly object: Json;
}

const labels = { app: 'web' };
const podSpec = () => ({
  containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'http' }] }],
});
const template = () => ({ metadata: { labels: { ...labels } }, spec: podSpec() });

/** Valid objects of the kinds whose rules the checker states, each accepted by both. */
export function baseObjects(): Json[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { ...labels } }, template: template() },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { ...labels }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { ...labels } }, spec: podSpec() },
    {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: { selector: { ...labels }, template: template() },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: { serviceName: 'db', selector: { matchLabels: { ...labels } }, template: template() },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { ...labels } }, template: template() },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: { key: 'value' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'secret' }, stringData: { key: 'value' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader' }, rules: [] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } },
      },
    },
  ];
}

const long = (length: number, unit = 'a') => unit.repeat(length);
// Names: valid for some kinds and not for others.
const NAMES = [
  'web',
  'web-1',
  'a',
  '1',
  '1a',
  'a.b',
  'a.b.c',
  'a..b',
  '.a',
  'a.',
  '-a',
  'a-',
  'a_b',
  'A',
  'Web',
  'aB',
  'system:aggregated-reader',
  'logReader',
  'a/b',
  'a%b',
  '.',
  '..',
  'a b',
  'é',
  long(52),
  long(53),
  long(63),
  long(64),
  long(253),
  long(254),
  `${long(63)}.${long(63)}`,
  `${long(64)}.b`,
  'xn--bcher-kva',
  '0.0.0.0',
];
const PORT_NAMES = [
  'http',
  'http-web-servic',
  'http-web-service',
  'HTTP',
  'TCP-8080',
  '8080',
  '1',
  'a1',
  '1a',
  'a--b',
  '-a',
  'a-',
  'a_b',
  'a.b',
  'web',
  'x',
  long(15, 'b'),
  long(16, 'b'),
  'dns-tcp',
  'é',
];
const PORT_NUMBERS = [0, 1, 80, 8080, 65535, 65536, -1, 100000];
const TARGET_PORTS = [0, 1, 80, 65535, 65536, -5, '', 'http', '9376', 'http-web-service', 'HTTP', 'a--b', 'web', '80a'];
const LABEL_KEYS = [
  'app',
  'app.kubernetes.io/name',
  'example.com/x',
  'Example.com/x',
  'a/b/c',
  '/a',
  'a/',
  '-a',
  'a-',
  'a_b',
  'A',
  long(63),
  long(64),
  `${long(253)}/a`,
  `${long(254)}/a`,
  'a.b',
  'a b',
  'kubernetes.io/x',
  'x.y/z_1',
];
const LABEL_VALUES = ['web', '', 'a-b', 'a_b', 'a.b', '-a', 'a-', 'A', 'a b', long(63), long(64), '1', 'x/y', 'é'];

const pick = <T>(random: Random, items: readonly T[]): T => items[random(items.length)];
const clone = (object: Json): Json => JSON.parse(JSON.stringify(object));

/** The Pod spec of an object, where it has one. */
function podSpecOf(object: Json): Json | undefined {
  if (object.kind === 'Pod') {
    return object.spec;
  }
  if (object.kind === 'CronJob') {
    return object.spec.jobTemplate.spec.template.spec;
  }
  return object.spec?.template?.spec;
}

/** Mutations of one kind of field, each a function of a random source and a copy of a base object. */
const MUTATORS: Array<[RuleName, string, (random: Random, object: Json) => boolean]> = [
  [
    'names',
    'metadata.name',
    (random, object) => {
      object.metadata.name = pick(random, NAMES);
      return true;
    },
  ],
  [
    'labels',
    'metadata.labels',
    (random, object) => {
      object.metadata.labels = { [pick(random, LABEL_KEYS)]: pick(random, LABEL_VALUES) };
      return true;
    },
  ],
  [
    'labels',
    'a selector pair and the template labels alike',
    (random, object) => {
      const [key, value] = [pick(random, LABEL_KEYS), pick(random, LABEL_VALUES)];
      if (object.kind === 'Service' || object.kind === 'ReplicationController') {
        object.spec.selector = { [key]: value };
      } else if (object.spec?.selector?.matchLabels) {
        object.spec.selector.matchLabels = { [key]: value };
      } else {
        return false;
      }
      if (object.spec.template) {
        object.spec.template.metadata.labels = { [key]: value };
      }
      return true;
    },
  ],
  [
    'labels',
    'spec.selector.matchExpressions',
    (random, object) => {
      if (!object.spec?.selector?.matchLabels) {
        return false;
      }
      const operator = pick(random, ['In', 'NotIn', 'Exists', 'DoesNotExist']);
      const values = pick(random, [[], ['web'], ['web', 'other'], ['Bad Value']]);
      object.spec.selector.matchExpressions = [
        { key: pick(random, ['app', 'tier', 'A/b', 'x.y/z']), operator, values },
      ];
      return true;
    },
  ],
  [
    'wiring',
    'a selector that differs from the template labels',
    (random, object) => {
      const selector =
        object.kind === 'ReplicationController' ? object.spec?.selector : object.spec?.selector?.matchLabels;
      if (!selector || !object.spec.template) {
        return false;
      }
      const change = random(3);
      if (change === 0) {
        selector.app = 'other';
      } else if (change === 1) {
        selector.tier = 'front';
      } else {
        object.spec.template.metadata.labels = { app: 'web', tier: 'front' };
      }
      if (object.kind === 'ReplicationController' && random(4) === 0) {
        delete object.spec.selector;
        if (random(2) === 0) {
          delete object.spec.template.metadata.labels;
        }
      }
      return true;
    },
  ],
  [
    'ports',
    'a container port name',
    (random, object) => {
      const spec = podSpecOf(object);
      if (!spec) {
        return false;
      }
      spec.containers[0].ports = [{ containerPort: 80, name: pick(random, PORT_NAMES) }];
      if (random(4) === 0) {
        spec.containers[0].ports.push({ containerPort: 81, name: pick(random, PORT_NAMES) });
      }
      return true;
    },
  ],
  [
    'ports',
    'a container port number',
    (random, object) => {
      const spec = podSpecOf(object);
      if (!spec) {
        return false;
      }
      const port: Json = { containerPort: pick(random, PORT_NUMBERS) };
      if (random(3) === 0) {
        port.hostPort = pick(random, PORT_NUMBERS);
      }
      spec.containers[0].ports = [port];
      return true;
    },
  ],
  [
    'ports',
    'a Service port',
    (random, object) => {
      if (object.kind !== 'Service') {
        return false;
      }
      const count = 1 + random(2);
      object.spec.ports = Array.from({ length: count }, (_, index) => {
        const port: Json = { port: random(4) === 0 ? pick(random, PORT_NUMBERS) : 80 + index };
        if (random(3) !== 0) {
          port.name = random(2) === 0 ? pick(random, PORT_NAMES) : pick(random, ['http', 'web', 'a', 'metrics']);
        }
        if (random(3) !== 0) {
          port.targetPort = pick(random, TARGET_PORTS);
        }
        return port;
      });
      if (random(8) === 0) {
        object.spec.ports = [];
        if (random(2) === 0) {
          object.spec.clusterIP = 'None';
        }
      }
      return true;
    },
  ],
  [
    'schema',
    'a value of the wrong type',
    (random, object) => {
      const spec = podSpecOf(object);
      const choice = random(4);
      if (choice === 0 && object.kind !== 'Namespace') {
        object.metadata.labels = { app: pick(random, [5, true, null]) };
      } else if (choice === 1 && spec) {
        spec.containers[0].ports = [{ containerPort: pick(random, ['80', 80.5, true]) }];
      } else if (choice === 2 && object.kind === 'Service') {
        object.spec.ports[0].port = '80';
      } else if (spec && object.spec?.template) {
        object.spec.replicas = pick(random, ['3', 3.5, -1, 2 ** 31]);
      } else {
        object.metadata.name = pick(random, [5, true]);
      }
      return true;
    },
  ],
  [
    'schema',
    'Secret data, base64 or not',
    (random, object) => {
      if (object.kind !== 'Secret') {
        return false;
      }
      object.data = {
        key: pick(random, ['aGVsbG8=', 'aGVsbG8', 'hello', '', 'YQ==', 'YWI=', 'a+b/', '====', 'aGVs\nbG8=', '-_-_']),
      };
      return true;
    },
  ],
  [
    'schema',
    'an unknown field',
    (random, object) => {
      const spec = podSpecOf(object);
      const choice = random(3);
      if (choice === 0) {
        object.metadata.labelz = { app: 'web' };
      } else if (choice === 1 && spec) {
        spec.containers[0].imagePullPolice = 'Always';
      } else {
        object.spex = {};
      }
      return true;
    },
  ],
];

/** `count` mutations of the base objects, seeded. */
export function apiServerMutations(count: number, seed = 23): Mutation[] {
  const random = seeded(seed);
  const bases = baseObjects();
  const mutations: Mutation[] = [];
  while (mutations.length < count) {
    const [rule, change, mutate] = pick(random, MUTATORS);
    const object = clone(pick(random, bases));
    if (mutate(random, object)) {
      mutations.push({ rule, change: `${object.kind}: ${change}`, object });
    }
  }
  return mutations;
}
