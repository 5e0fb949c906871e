import { App, Yaml } from 'cdk8s';
import { addWorkshopCharts, type WorkshopProps } from '../lib/workshop';

/** A rendered object, read freely by the tests. */
export type K8sObject = Record<string, any>;

/** One chart of the workshop rendered in memory: its file name, objects and YAML text. */
export interface RenderedChart {
  readonly file: string;
  readonly objects: K8sObject[];
  readonly yaml: string;
}

/** Renders the workshop in memory with cdk8s's public API, one entry per chart in file order. */
export function renderWorkshop(props: WorkshopProps = {}): RenderedChart[] {
  const app = new App({ outdir: '/nonexistent', outputFileExtension: '.yml' });
  addWorkshopCharts(app, props);
  return app.charts.map((chart) => {
    const objects = chart.toJson();
    return { file: `${chart.node.id}${app.outputFileExtension}`, objects, yaml: Yaml.stringify(...objects) };
  });
}

/** All objects of a rendering, in file order. */
export function objectsOf(props: WorkshopProps = {}): K8sObject[] {
  return renderWorkshop(props).flatMap((manifest) => manifest.objects);
}

/** The one object of this kind and name, failing the test when there is not exactly one. */
export function theObject(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}/${name}, found ${found.length}`);
  }
  return found[0];
}
