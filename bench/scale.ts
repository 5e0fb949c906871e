import { spawnSync } from 'child_process';
import * as path from 'path';
import type { Renderer, ScaleResult } from './scale-worker';
import { ms, table } from './stats';

function measure(root: string, renderer: Renderer, copies: number): ScaleResult {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'scale-worker.ts'), renderer, String(copies)], {
    cwd: root, encoding: 'utf8', maxBuffer: 1 << 20,
  });
  if (run.status !== 0) {
    throw new Error(`scale worker (${renderer}, ${copies}) failed:\n${run.stdout}${run.stderr}`);
  }
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as ScaleResult;
  if (result.objects !== 2 * copies) {
    throw new Error(`${renderer} rendered ${result.objects} objects for ${copies} copies, expected ${2 * copies}`);
  }
  return result;
}

const perCopy = (total: number, copies: number) => `${(total / copies).toFixed(3)} ms`;

/**
 * One fresh process per measurement: in a shared process the second
 * measurement would find cdk8s loaded and its hot paths compiled.
 */
export function scaleCurve(root: string, copiesList: readonly number[], log: (line: string) => void): string {
  const rows = copiesList.map((copies) => {
    log(`scale: ${copies} copies, project renderer`);
    const project = measure(root, 'project', copies);
    log(`scale: ${copies} copies, stock synthYaml()`);
    const stock = measure(root, 'stock', copies);
    return [
      copies.toLocaleString('en-US'),
      ms(project.constructMs), perCopy(project.constructMs, copies),
      ms(project.renderMs), perCopy(project.renderMs, copies),
      ms(stock.renderMs), perCopy(stock.renderMs, copies),
      `${(stock.renderMs / project.renderMs).toFixed(1)}x`,
    ];
  });
  return [
    'b. N copies of the homepage Deployment and Service, one chart per copy (one process per cell pair)',
    '   construction: new Chart + HomepageDeployment + HomepageService, timed in the project worker',
    '   render: in memory, renderCharts(app) vs stock App.synthYaml(); no files written',
    '   small N is mostly one-time cost: the first toJson() validates the app, yaml and the JIT warm up',
    '',
    table(['copies', 'construct', '/copy', 'project render', '/copy', 'stock render', '/copy', 'stock/project'], rows),
  ].join('\n');
}
