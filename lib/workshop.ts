import { type App, Chart } from 'cdk8s';
import { HOMEPAGE_NAME, MANIFEST_FILES, SLEEP_NAME } from './constants';
import { HomepageDeployment, type HomepageDeploymentProps } from './homepage-deployment';
import { HomepageService } from './homepage-service';
import { checkKnownProps } from './prop-checks';
import { SleepDeployment, type SleepDeploymentProps } from './sleep-deployment';

export interface WorkshopProps {
  /**
   * The homepage Deployment; the homepage Service always fronts it.
   * @default - one replica of the workshop's homepage image
   */
  readonly homepage?: HomepageDeploymentProps;
  /**
   * The sleep Deployment.
   * @default - one replica of the workshop's sleep image
   */
  readonly sleep?: SleepDeploymentProps;
}

const WORKSHOP_PROPS: Record<keyof WorkshopProps, true> = { homepage: true, sleep: true };

/** The workshop's components, each in the chart of its own manifest file. */
export interface WorkshopCharts {
  readonly homepage: HomepageDeployment;
  readonly homepageService: HomepageService;
  readonly sleep: SleepDeployment;
}

/**
 * Adds the lesson to the app: one chart per manifest file, each holding one workshop component.
 * Chart ids are the file names, so with the app's `outputFileExtension: '.yml'` the chart
 * `homepage-pod` is written to `homepage-pod.yml`.
 */
export function addWorkshopCharts(app: App, props: WorkshopProps = {}): WorkshopCharts {
  checkKnownProps(app, props, WORKSHOP_PROPS);
  const homepage = new HomepageDeployment(new Chart(app, MANIFEST_FILES.homepagePod), HOMEPAGE_NAME, props.homepage);
  const homepageService = new HomepageService(new Chart(app, MANIFEST_FILES.homepageService), HOMEPAGE_NAME, {
    deployment: homepage,
  });
  const sleep = new SleepDeployment(new Chart(app, MANIFEST_FILES.sleep), SLEEP_NAME, props.sleep);
  return { homepage, homepageService, sleep };
}
