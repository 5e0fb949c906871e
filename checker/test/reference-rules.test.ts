import * as path from 'node:path';
import { runCommand } from './run-command';

describe('references between objects', () => {
  const run = runCommand([path.join('references', 'app.yaml')], path.join(__dirname, 'fixtures'));
  const lines = [...run.err, ...run.out].filter((line) => /^(error|warning):/.test(line));
  const file = 'references/app.yaml';

  test('an Ingress backend names a Service of the set and one of its ports; one not in the set is a warning', () => {
    expect(lines.filter((line) => line.includes('[ingress-backend]'))).toEqual([
      `error: ${file}: Ingress/web: spec.rules[0].http.paths[2].backend.service.port.name: [ingress-backend] port "admin" is not a port of Service/web, which offers 80 (http)`,
      `warning: ${file}: Ingress/web: spec.rules[0].http.paths[1].backend.service.name: [ingress-backend] Service "api" is not in the set: it must exist in the cluster, in the Ingress's namespace`,
    ]);
  });

  test('a HorizontalPodAutoscaler scales a workload of the set; one not in the set is a warning', () => {
    expect(lines.filter((line) => line.includes('[scale-target]'))).toEqual([
      `warning: ${file}: HorizontalPodAutoscaler/worker: spec.scaleTargetRef.name: [scale-target] StatefulSet/web is not in the set: it must exist in the cluster (the set has Deployment/web)`,
    ]);
  });

  test('PodDisruptionBudget and NetworkPolicy selectors that select no Pods of the set are warnings', () => {
    expect(lines.filter((line) => line.includes('[pod-selector]'))).toEqual([
      `warning: ${file}: PodDisruptionBudget/typo: spec.selector: [pod-selector] selects no Pods of the set (app=wbe): it takes effect only if Pods from outside the set carry these labels`,
      `warning: ${file}: NetworkPolicy/web: spec.ingress[0].from[0].podSelector: [pod-selector] selects no Pods of the set (app=gateway): it takes effect only if Pods from outside the set carry these labels`,
    ]);
  });

  test('only the wrong port is an error', () => {
    expect(run.code).toBe(1);
    expect(run.err.at(-1)).toBe(`${file}: 1 file, 8 objects: 1 error, 4 warnings`);
  });
});
