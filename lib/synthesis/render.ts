import { type App, Yaml } from 'cdk8s';
import type { JsonObject } from '../../checker/manifest-model';

/** One synthesized manifest file: the chart it came from, its API objects and their YAML. */
export interface RenderedManifest {
  /** File name: the chart's id plus the app's `outputFileExtension`. */
  readonly file: string;
  /** The chart's API objects in dependency order, as plain JSON. */
  readonly objects: readonly JsonObject[];
  /** The YAML text of the file: `objects` as documents separated by `---`. */
  readonly yaml: string;
}

/**
 * Renders every chart of the app in memory, one manifest per chart, with the
 * bytes `App.synth()` writes: `Chart.toJson()` and `Yaml.stringify()` are the
 * calls it makes. Rendering in memory lets synthesis validate everything
 * before a single byte reaches the output folder.
 *
 * The file name is the chart's id, which is what `App.synth()` names a chart
 * that sits directly on the app.
 */
export function renderCharts(app: App): RenderedManifest[] {
  const seen = new Map<string, string>();
  return app.charts.map((chart) => {
    const file = `${chart.node.id}${app.outputFileExtension}`;
    const earlier = seen.get(file);
    if (earlier !== undefined) {
      throw new Error(
        `Charts '${earlier}' and '${chart.node.path}' would both be written to ${file}: give them different ids`,
      );
    }
    seen.set(file, chart.node.path);
    const objects: JsonObject[] = chart.toJson();
    return { file, objects, yaml: Yaml.stringify(...objects) };
  });
}
