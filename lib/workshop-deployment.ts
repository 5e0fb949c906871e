import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type * as k8s from '../imports/k8s';
import type { Labels, NamedPort } from './constants';
import { checkImage, checkLabels, checkReplicas } from './prop-checks';

/**
 * A Linux capability as Kubernetes spells it (`NET_BIND_SERVICE`, or `ALL`). The names are
 * those of cdk8s-plus-27's `Capability` enum, which spells the values `CAP_X` and has no `ALL`.
 */
export type CapabilityName = keyof typeof kplus.Capability | 'ALL';

/** Settings shared by the workshop's Deployments; each component fills them with its own values. */
export interface WorkshopDeploymentProps {
  /** Object name of the Deployment and name of its one container. */
  readonly name: string;
  /**
   * Labels of the Deployment object itself.
   * @default - none
   */
  readonly labels?: Labels;
  /** Labels of the Pods; the Deployment selects exactly these. */
  readonly podLabels: Labels;
  /**
   * Annotations of the Pods.
   * @default - none
   */
  readonly podAnnotations?: Labels;
  /** Container image. */
  readonly image: string;
  /** Number of Pods. */
  readonly replicas: number;
  /**
   * The port the container listens on; a readiness probe checks that it accepts connections.
   * @default - the container exposes no port
   */
  readonly port?: NamedPort;
  /** CPU and memory requested and capped for the container. */
  readonly resources: kplus.ContainerResources;
  /**
   * User and group ID the container's processes run as, with `runAsNonRoot` enforced; must be
   * greater than 0.
   * @default - the image's own user, not enforced (both workshop images start as root)
   */
  readonly runAsUser?: number;
  /** Whether the container's root filesystem is mounted read-only. */
  readonly readOnlyRootFilesystem: boolean;
  /**
   * Linux capabilities the image needs after all others are dropped.
   * @default - none
   */
  readonly capabilities?: readonly CapabilityName[];
  /**
   * Labels a node must carry to run the Pods.
   * @default - any node
   */
  readonly nodeSelector?: Labels;
}

const POD_SPEC = '/spec/template/spec';
const CONTAINER = `${POD_SPEC}/containers/0`;

// cdk8s-plus labels every pod template with a selector label derived from the construct path;
// learners read pod labels with `kubectl get pods --show-labels`, so only the workshop's labels stay.
const GENERATED_SELECTOR_LABEL = `/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`;

// Fields cdk8s-plus-27 writes with the value the API server gives them anyway when they are
// absent. Learners read every line of dist/, and these lines teach nothing; the zero values among
// them (minReadySeconds, hostNetwork) would also make `kubectl apply` of unchanged manifests report
// the Deployment as "configured", because the API server omits them from the stored object.
// Patches apply before cdk8s-plus converts its props to the API's JSON, so paths use the props'
// spelling (setHostnameAsFqdn), and a path that matches nothing is silently ignored: the tests
// check the synthesized output instead. Pod-level securityContext only held `runAsNonRoot: false` and `fsGroupChangePolicy: Always`,
// which do nothing here: unset runAsNonRoot enforces nothing, and no volume needs an fsGroup.
const API_SERVER_DEFAULTS = [
  '/spec/minReadySeconds', // 0
  '/spec/progressDeadlineSeconds', // 600
  '/spec/strategy', // RollingUpdate, maxSurge and maxUnavailable 25%
  `${POD_SPEC}/dnsPolicy`, // ClusterFirst
  `${POD_SPEC}/hostNetwork`, // false
  `${POD_SPEC}/restartPolicy`, // Always
  `${POD_SPEC}/securityContext`, // { runAsNonRoot: false, fsGroupChangePolicy: Always }
  `${POD_SPEC}/setHostnameAsFqdn`, // false
  `${POD_SPEC}/terminationGracePeriodSeconds`, // 30
  `${CONTAINER}/securityContext/privileged`, // false
];

/**
 * The pull policy the API server gives a container that sets none: `Always` for an image
 * without a tag or tagged `latest`, else `IfNotPresent` (Kubernetes' `SetDefaults_Container`).
 */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (lastSegment.includes('@')) {
    return 'IfNotPresent';
  }
  const tagStart = lastSegment.indexOf(':');
  return tagStart < 0 || lastSegment.slice(tagStart + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * Base of the workshop's workload constructs: a Deployment of one container, with the workshop's
 * deliberate settings in place of cdk8s-plus-27's defaults: a stable name, selection by the given
 * labels only, images that may be loaded locally, small resources, and every hardening setting
 * that root-running workshop images allow. Fields equal to the API server's defaults are left out.
 */
export class WorkshopDeployment extends Construct {
  /** The cdk8s-plus Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The port the container listens on, if any. */
  public readonly port?: NamedPort;

  constructor(scope: Construct, id: string, props: WorkshopDeploymentProps) {
    super(scope, id);
    checkReplicas(this, props.replicas);
    checkImage(this, props.image);
    checkLabels(this, props.podLabels, 'podLabels');
    if (props.labels) {
      checkLabels(this, props.labels, 'labels');
    }
    this.port = props.port;

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels && { ...props.labels } },
      replicas: props.replicas,
      select: false,
      podMetadata: { labels: { ...props.podLabels }, annotations: props.podAnnotations && { ...props.podAnnotations } },
      // cdk8s-plus defaults to runAsNonRoot: true, which stops both root-running images.
      securityContext: { ensureNonRoot: false },
      automountServiceAccountToken: false,
      containers: [
        {
          name: props.name,
          image: props.image,
          // Pulls only when the node lacks the image, so images loaded into kind or minikube work
          // offline. Written only where the API server would default to Always (see below).
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: props.port && [{ name: props.port.name, number: props.port.number }],
          // The Service lists a Pod as an endpoint only once its port accepts connections.
          readiness: props.port && kplus.Probe.fromTcpSocket({ port: props.port.number }),
          resources: props.resources,
          securityContext: {
            ensureNonRoot: props.runAsUser !== undefined,
            user: props.runAsUser,
            group: props.runAsUser,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: props.readOnlyRootFilesystem,
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...props.podLabels } }));

    // Settings cdk8s-plus-27 has no prop for are patched onto the rendered object, typed by imports/k8s.ts.
    const capabilities: k8s.Capabilities = {
      drop: ['ALL'],
      ...(props.capabilities?.length ? { add: [...props.capabilities] } : {}),
    };
    const seccompProfile: k8s.SeccompProfile = { type: 'RuntimeDefault' };
    const defaults = [
      ...API_SERVER_DEFAULTS,
      ...(props.port ? [`${CONTAINER}/readinessProbe/failureThreshold`] : []), // 3
      ...(props.runAsUser === undefined ? [`${CONTAINER}/securityContext/runAsNonRoot`] : []), // false
      ...(props.readOnlyRootFilesystem ? [] : [`${CONTAINER}/securityContext/readOnlyRootFilesystem`]), // false
      ...(defaultImagePullPolicy(props.image) === 'IfNotPresent' ? [`${CONTAINER}/imagePullPolicy`] : []),
    ];
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove(GENERATED_SELECTOR_LABEL),
      ...defaults.map((field) => JsonPatch.remove(field)),
      ...(props.nodeSelector ? [JsonPatch.add(`${POD_SPEC}/nodeSelector`, { ...props.nodeSelector })] : []),
      JsonPatch.add(`${CONTAINER}/securityContext/capabilities`, capabilities),
      JsonPatch.add(`${CONTAINER}/securityContext/seccompProfile`, seccompProfile),
    );
  }
}
