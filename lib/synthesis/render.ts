import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { MANIFEST_EXTENSION } from '../constants';

/** One synthesized manifest file: the chart it came from, its API objects and their YAML. */
export interface RenderedManifest {
  /** File name, the chart's id plus the manifest extension. */
  readonly file: string;
  /** The chart's API objects in dependency order, as plain JSON. */
  readonly objects: readonly Record<string, any>[];
  /** The YAML text of the file: `objects` as documents separated by `---`. */
  readonly yaml: string;
}

/**
 * Renders every chart of the app, one manifest per chart, in the order and
 * with the bytes `App.synth()` would write.
 *
 * Stock `Chart.toJson()` resolves dependencies and validates the whole app on
 * every call, which makes `App.synth()` quadratic in the number of charts. The
 * first chart's `toJson()` does that app-wide work once; the other charts are
 * rendered from their own API objects only.
 */
export function renderCharts(app: App): RenderedManifest[] {
  const charts = app.charts;
  const [first, ...rest] = charts;
  if (!first) {
    return [];
  }
  const manifests = [
    toManifest(first, first.toJson()),
    ...rest.map((chart) => toManifest(chart, apiObjectsOf(chart).map((apiObject) => apiObject.toJson()))),
  ];
  const seen = new Map<string, string>();
  for (const [index, manifest] of manifests.entries()) {
    const path = charts[index].node.path;
    const earlier = seen.get(manifest.file);
    if (earlier !== undefined) {
      throw new Error(`Charts '${earlier}' and '${path}' would both be written to ${manifest.file}: give them different ids`);
    }
    seen.set(manifest.file, path);
  }
  return manifests;
}

function apiObjectsOf(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((node): node is ApiObject => node instanceof ApiObject && Chart.of(node) === chart);
}

function toManifest(chart: Chart, objects: Record<string, any>[]): RenderedManifest {
  return { file: `${chart.node.id}${MANIFEST_EXTENSION}`, objects, yaml: Yaml.stringify(...objects) };
}
