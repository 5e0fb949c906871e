/**
 * The edits a learner or trainer makes to the workshop, as data: each names the files it changes
 * and what `npm run update` and `npm test` must do afterwards. `run.ts` applies each one to a copy
 * of the project and checks that.
 */

/** One edit: text replacements in project files, and its expected outcome. */
export interface LearnerEdit {
  readonly name: string;
  /** Per file: the text to find (exactly once) and its replacement. */
  readonly changes: ReadonlyArray<{ readonly file: string; readonly find: string; readonly replace: string }>;
  /**
   * `green`: `npm run update` succeeds and `npm test` then passes.
   * A RegExp: `npm run update` fails and its output matches it (an edit that breaks the lesson).
   */
  readonly expect: 'green' | RegExp;
}

const NEW_CHART = `
const whoami = new Chart(app, 'whoami');
const whoamiDeployment = new kplus.Deployment(whoami, 'whoami', {
  containers: [{ image: 'traefik/whoami:v1.10', ports: [{ number: 8080, name: 'web' }] }],
});
whoamiDeployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
`;

export const LEARNER_EDITS: readonly LearnerEdit[] = [
  {
    name: 'three homepage replicas',
    changes: [{ file: 'main.ts', find: 'homepage: { replicas: 1 }', replace: 'homepage: { replicas: 3 }' }],
    expect: 'green',
  },
  {
    name: 'two sleep replicas',
    changes: [{ file: 'main.ts', find: 'sleep: { replicas: 1 }', replace: 'sleep: { replicas: 2 }' }],
    expect: 'green',
  },
  {
    name: 'another homepage image',
    changes: [
      {
        file: 'lib/constants.ts',
        find: "HOMEPAGE_IMAGE = 'dak4dotnet/homepage-nginx:linux'",
        replace: "HOMEPAGE_IMAGE = 'registry.example.com/training/homepage-nginx:2.0'",
      },
    ],
    expect: 'green',
  },
  {
    name: 'a second homepage Pod label',
    changes: [
      {
        file: 'lib/constants.ts',
        find: "{ [APP_LABEL]: 'signup', [COMPONENT_LABEL]: HOMEPAGE_NAME }",
        replace: "{ [APP_LABEL]: 'signup', [COMPONENT_LABEL]: HOMEPAGE_NAME, tier: 'web' }",
      },
    ],
    expect: 'green',
  },
  {
    name: 'a homepage Pod annotation',
    changes: [
      {
        file: 'lib/constants.ts',
        find: "{ 'prometheus.io/scrape': 'false' }",
        replace: "{ 'prometheus.io/scrape': 'false', 'workshop.example.com/owner': 'trainer' }",
      },
    ],
    expect: 'green',
  },
  {
    name: 'a new chart with a Deployment and its Service',
    changes: [
      {
        file: 'main.ts',
        find: "import { App } from 'cdk8s';",
        replace: "import { App, Chart } from 'cdk8s';\nimport * as kplus from 'cdk8s-plus-27';",
      },
      { file: 'main.ts', find: '\nsynthesize(app,', replace: `${NEW_CHART}\nsynthesize(app,` },
    ],
    expect: 'green',
  },
  {
    name: "renaming the homepage's app label, which the lesson's commands use",
    changes: [
      {
        file: 'lib/constants.ts',
        find: "export const APP_LABEL = 'app';",
        replace: "export const APP_LABEL = 'application';",
      },
    ],
    expect: /\[lesson\].*README\.md:\d+|README\.md:\d+.*\[lesson\]/,
  },
  {
    name: 'moving the homepage to port 8080, which the lesson port-forwards and curls on 80',
    changes: [
      { file: 'lib/constants.ts', find: "{ name: 'http', number: 80 }", replace: "{ name: 'http', number: 8080 }" },
    ],
    expect: /\[lesson\].*README\.md:\d+|README\.md:\d+.*\[lesson\]/,
  },
];
