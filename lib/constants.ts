/**
 * The workshop's names, labels, images and ports. Every label, selector, name
 * and port in the synthesized manifests derives from these values, so the
 * homepage Service and the Pods it selects cannot drift apart.
 */

/** A set of Kubernetes labels (or a selector that matches exactly these labels). */
export type Labels = Readonly<Record<string, string>>;

/** Label key that names the application a Pod belongs to. */
export const APP_LABEL = 'app';
/** Label key that names the component of an application a Pod runs. */
export const COMPONENT_LABEL = 'component';

/**
 * Object name of the homepage Deployment and of the homepage Service: the
 * lesson addresses both by it (`deployment/homepage`, `endpoints homepage`,
 * `http://homepage`).
 */
export const HOMEPAGE_NAME = 'homepage';
/** Object name of the sleep Deployment (`deploy/sleep` in the lesson). */
export const SLEEP_NAME = 'sleep';

/** Labels of the homepage Pods, and the selector of the homepage Service. */
export const HOMEPAGE_POD_LABELS: Labels = { [APP_LABEL]: 'signup', [COMPONENT_LABEL]: HOMEPAGE_NAME };
/** Labels of the sleep Pods. */
export const SLEEP_POD_LABELS: Labels = { [APP_LABEL]: SLEEP_NAME };
/** Labels of the sleep Deployment object itself, as the workshop's `sleep.yml` sets them. */
export const SLEEP_DEPLOYMENT_LABELS: Labels = { dak4dotnet: '101' };

/** Annotations of the homepage Pods: the workshop opts them out of Prometheus scraping. */
export const HOMEPAGE_POD_ANNOTATIONS: Labels = { 'prometheus.io/scrape': 'false' };

/** nginx serving the workshop's homepage on port 80. */
export const HOMEPAGE_IMAGE = 'dak4dotnet/homepage-nginx:linux';
/** An Alpine shell with curl and nslookup, used to call the homepage from inside the cluster. */
export const SLEEP_IMAGE = 'dak4dotnet/sleep';

/** The user and group the sleep shell runs as: `nobody`, which owns no file and needs no privilege. */
export const SLEEP_USER_ID = 65534;

/** Local port of the lesson's `kubectl port-forward deployment/homepage 8090:80`. */
export const PORT_FORWARD_LOCAL_PORT = 8090;

/** A named TCP port. */
export interface NamedPort {
  readonly name: string;
  readonly number: number;
}

/** The port nginx listens on; the homepage Service exposes the same number under the same name. */
export const HTTP_PORT: NamedPort = { name: 'http', number: 80 };

/**
 * Node selector of the homepage Pods, whose image is the Linux variant (`:linux`).
 * `kubernetes.io/os` is the stable label; the `beta.kubernetes.io/os` label the
 * workshop's manifest uses is deprecated in its favour (kubelets still set both).
 */
export const LINUX_NODE_SELECTOR: Labels = { 'kubernetes.io/os': 'linux' };

/** Output file names (without extension), one per chart. */
export const MANIFEST_FILES = {
  homepagePod: `${HOMEPAGE_NAME}-pod`,
  homepageService: `${HOMEPAGE_NAME}-service`,
  sleep: SLEEP_NAME,
} as const;

/** Folder the manifests are synthesized into, relative to the project root; `kubectl apply -f dist/`. */
export const MANIFEST_DIR = 'dist';

/** The project's lesson: its kubectl commands are checked against the manifests, and it shows the wiring diagram. */
export const LESSON_DOCUMENT = 'README.md';

/** Extension of every synthesized manifest file. */
export const MANIFEST_EXTENSION = '.yml';

/** Default number of Pods of each workshop Deployment. */
export const DEFAULT_REPLICAS = 1;

/**
 * Upper bound of `replicas`: every Pod of the workshop must fit on a 2-CPU
 * laptop cluster next to its system Pods (see the resource table in the README).
 */
export const MAX_REPLICAS = 20;
