import { App } from 'cdk8s';
import { renderCharts } from '../lib/synthesis/render';
import { Workshop, WorkshopProps } from '../lib/workshop';

/** A rendered object, read freely by the tests. */
export type K8sObject = Record<string, any>;

/** Renders the workshop in memory: file name to its objects and YAML text. */
export function renderWorkshop(props: WorkshopProps = {}) {
  const app = new App({ outdir: '/nonexistent' });
  new Workshop(app, 'workshop', props);
  return renderCharts(app);
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
