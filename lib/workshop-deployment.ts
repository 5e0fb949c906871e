import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Labels, LINUX_NODE_SELECTOR, NamedPort } from './constants';
import { checkImage, checkLabels, checkReplicas } from './prop-checks';

/** CPU in millicores and memory in mebibytes, requested and capped per container. */
export interface ContainerBudget {
  readonly cpuMillis: { readonly request: number; readonly limit: number };
  readonly memoryMebibytes: { readonly request: number; readonly limit: number };
}

/** Settings shared by the workshop's Deployments; each component fills them with its own values. */
export interface WorkshopDeploymentProps {
  /** Object name of the Deployment and name of its one container. */
  readonly name: string;
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
   * The port the container listens on.
   * @default - the container exposes no port
   */
  readonly port?: NamedPort;
  /** Resources requested and capped for the container. */
  readonly budget: ContainerBudget;
  /** Whether the image writes to its root filesystem at run time (nginx does: cache and pid files). */
  readonly writableRootFilesystem: boolean;
  /**
   * Linux capabilities the image needs after all others are dropped.
   * @default - none
   */
  readonly capabilities?: string[];
}

// cdk8s-plus labels every pod template with a selector label derived from the construct path;
// learners read pod labels with `kubectl get pods --show-labels`, so only the workshop's labels stay.
const GENERATED_SELECTOR_LABEL = `/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`;

/**
 * Base of the workshop's workload constructs: a Deployment of one container, with the workshop's deliberate settings in place of
 * cdk8s-plus-27's defaults: a stable name, selection by the given labels only, Linux
 * nodes, images that may be loaded locally, small resources, and every hardening
 * setting that root-running workshop images allow.
 */
export class WorkshopDeployment extends Construct {
  /** The cdk8s-plus Deployment. */
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: WorkshopDeploymentProps) {
    super(scope, id);
    checkReplicas(this, props.replicas);
    checkImage(this, props.image);
    checkLabels(this, props.podLabels, 'podLabels');

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: props.name },
      replicas: props.replicas,
      select: false,
      podMetadata: { labels: { ...props.podLabels }, annotations: props.podAnnotations && { ...props.podAnnotations } },
      // The workshop images run as root: nginx binds port 80, then switches to its worker user.
      securityContext: { ensureNonRoot: false },
      automountServiceAccountToken: false,
      containers: [
        {
          name: props.name,
          image: props.image,
          // Pulls only when the node lacks the image, so images loaded into kind or minikube work offline.
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: props.port && [{ name: props.port.name, number: props.port.number }],
          // The Service lists a Pod as an endpoint only once its port accepts connections.
          readiness: props.port && kplus.Probe.fromTcpSocket({ port: props.port.number }),
          resources: {
            cpu: {
              request: kplus.Cpu.millis(props.budget.cpuMillis.request),
              limit: kplus.Cpu.millis(props.budget.cpuMillis.limit),
            },
            memory: {
              request: Size.mebibytes(props.budget.memoryMebibytes.request),
              limit: Size.mebibytes(props.budget.memoryMebibytes.limit),
            },
          },
          securityContext: {
            ensureNonRoot: false,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: !props.writableRootFilesystem,
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...props.podLabels } }));

    // Settings cdk8s-plus-27 has no prop for are patched onto the rendered object.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove(GENERATED_SELECTOR_LABEL),
      // Zero values the API server omits from the stored object: kept, they would make every
      // `kubectl apply` of unchanged manifests report the Deployment as "configured".
      JsonPatch.remove('/spec/minReadySeconds'),
      JsonPatch.remove('/spec/template/spec/hostNetwork'),
      JsonPatch.add('/spec/template/spec/nodeSelector', { ...LINUX_NODE_SELECTOR }),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      // cdk8s-plus-27 spells capabilities "CAP_X" and has no "ALL".
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', {
        drop: ['ALL'],
        ...(props.capabilities?.length ? { add: [...props.capabilities] } : {}),
      }),
    );
  }
}
