// Builds N copies of the homepage Deployment and Service, one chart per copy,
// and renders them with one renderer; prints one JSON line of timings. Each
// measurement runs in a process of its own (see scale.ts), so the first
// render's module loading and JIT warm-up are not shared between measurements.
//
// Usage: node --import tsx bench/scale-worker.ts <project|stock> <copies>
import { App, Chart } from 'cdk8s';
import { HomepageDeployment } from '../lib/homepage-deployment';
import { HomepageService } from '../lib/homepage-service';
import { renderCharts } from '../lib/synthesis/render';

/** What the worker prints: construction and render time of one app, in milliseconds. */
export interface ScaleResult {
  readonly renderer: Renderer;
  readonly copies: number;
  readonly constructMs: number;
  readonly renderMs: number;
  /** Number of Kubernetes objects rendered: proves the renderer did all the work (2 per copy). */
  readonly objects: number;
}

export type Renderer = 'project' | 'stock';

/**
 * In memory on both sides, so the comparison is of rendering alone: the
 * project's renderCharts() against stock App.synthYaml(), which shares
 * App.synth()'s per-chart toJson() and with it the quadratic cost, but not
 * its file writes.
 */
const RENDERERS: Record<Renderer, (app: App) => number> = {
  project: (app) => renderCharts(app).reduce((sum, manifest) => sum + manifest.objects.length, 0),
  stock: (app) => app.synthYaml().split(/^---$/m).filter((doc) => doc.trim() !== '').length,
};

function main(): void {
  const [renderer, copiesArg] = process.argv.slice(2);
  const copies = Number(copiesArg);
  if (!(renderer in RENDERERS) || !Number.isInteger(copies) || copies < 1) {
    throw new Error('usage: scale-worker.ts <project|stock> <copies>');
  }
  const started = performance.now();
  // The outdir is never written: both renderers work in memory.
  const app = new App({ outdir: '/nonexistent' });
  for (let i = 0; i < copies; i++) {
    // Every copy names its objects `homepage`, like the workshop does; the
    // duplicates across charts do not matter to either renderer.
    const chart = new Chart(app, `copy-${String(i).padStart(5, '0')}`);
    const deployment = new HomepageDeployment(chart, 'deployment');
    new HomepageService(chart, 'service', { deployment });
  }
  const constructed = performance.now();
  const objects = RENDERERS[renderer as Renderer](app);
  const rendered = performance.now();
  const result: ScaleResult = {
    renderer: renderer as Renderer, copies, constructMs: constructed - started, renderMs: rendered - constructed, objects,
  };
  console.log(JSON.stringify(result));
}

main();
