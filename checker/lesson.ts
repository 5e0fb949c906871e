import type { Finding } from './findings';
import { formatSelector, selectorMatches } from './label-selector';
import { type Labels, type PodTemplate, portAnswers } from './manifest-model';
import type { ServiceWiring } from './wiring';

/** A Markdown document whose kubectl commands must work on the manifests. */
export interface Lesson {
  /** Name shown in findings, e.g. `README.md`. */
  readonly name: string;
  readonly markdown: string;
}

/** A kubectl command found in a document, with its line. */
export interface LessonCommand {
  /** `README.md:42`: the document and the line of the command. */
  readonly where: string;
  readonly text: string;
}

/**
 * The kubectl commands of a Markdown lesson: every line of a fenced code
 * block that starts with `kubectl` (optionally after a `$ ` prompt).
 */
export function extractKubectlCommands(markdown: string, documentName: string): LessonCommand[] {
  const commands: LessonCommand[] = [];
  let inFence = false;
  markdown.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('```')) {
      inFence = !inFence;
      return;
    }
    const command = trimmed.replace(/^\$\s+/, '');
    if (inFence && /^kubectl\s/.test(command)) {
      commands.push({ where: `${documentName}:${index + 1}`, text: command.replace(/\s+#.*$/, '') });
    }
  });
  return commands;
}

const KIND_ALIASES: Record<string, string> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  service: 'Service',
  services: 'Service',
  svc: 'Service',
  endpoints: 'Service',
  ep: 'Service',
};

/** What the cross-object rules keep of a manifest set: Pod templates, Services, Deployments. */
export interface CrossObjectView {
  /** Every Pod template, of workloads and Pods, in the order of the set. */
  readonly templates: readonly PodTemplate[];
  readonly services: readonly ServiceWiring[];
  readonly deployments: ReadonlyArray<{ readonly name: string | undefined; readonly template: PodTemplate }>;
  /** The files the objects came from, as findings name them. */
  readonly files: ReadonlySet<string>;
}

const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1).replace(/:\d+$/, '');

class ManifestIndex {
  constructor(private readonly view: CrossObjectView) {}

  private named(kind: string): Array<{ name: string | undefined }> {
    return kind === 'Service' ? [...this.view.services] : kind === 'Deployment' ? [...this.view.deployments] : [];
  }

  has(kind: string, name: string): boolean {
    return this.named(kind).some((object) => object.name === name);
  }

  names(kind: string): string {
    const names = this.named(kind).map((object) => object.name);
    return names.length ? names.join(', ') : 'none';
  }

  service(name: string): ServiceWiring | undefined {
    return this.view.services.find((service) => service.name === name);
  }

  /**
   * Whether a `-f` argument names a file of the set, or a folder. Files are matched by name only:
   * the lesson names them where the learner keeps them (`dist/`), wherever the set was read.
   */
  hasFile(file: string): boolean {
    return !/\.(ya?ml|json)$/.test(file) || [...this.view.files].some((shown) => baseName(shown) === baseName(file));
  }

  files(): string {
    return [...new Set([...this.view.files].map(baseName))].join(', ') || 'none';
  }

  templateLabels(): Labels[] {
    return this.view.templates.map((t) => t.labels);
  }

  containerPortsOf(deploymentName: string) {
    return this.view.deployments.find((d) => d.name === deploymentName)?.template.containerPorts ?? [];
  }
}

type Problem = { token: string; message: string };

function parseEqualitySelector(text: string): Labels | undefined {
  const pairs = text.split(',').map((pair) => /^([^=!]+)==?([^=]*)$/.exec(pair));
  return pairs.every(Boolean) ? Object.fromEntries(pairs.map((m) => [m![1], m![2]])) : undefined;
}

/** The files or folders a command applies or deletes with `-f`. */
function manifestFileOptions(tokens: readonly string[]): string[] {
  return tokens.flatMap((token, i) => {
    if ((token === '-f' || token === '--filename') && tokens[i + 1]) {
      return [tokens[i + 1]];
    }
    return token.startsWith('--filename=') ? [token.slice('--filename='.length)] : [];
  });
}

function selectorOptions(tokens: readonly string[]): string[] {
  const found: string[] = [];
  tokens.forEach((token, i) => {
    if ((token === '-l' || token === '--selector') && tokens[i + 1]) {
      found.push(tokens[i + 1]);
    } else if (token.startsWith('--selector=')) {
      found.push(token.slice('--selector='.length));
    } else if (/^-l[^-]/.test(token)) {
      found.push(token.slice(2));
    }
  });
  return found;
}

/** The objects a command names, by `kind/name` or by `kubectl get <kind> <name>`. */
function namedObjects(tokens: readonly string[]): Array<{ token: string; kind: string; name: string }> {
  const named = tokens.flatMap((token) => {
    const match = /^([a-z]+)\/([a-z0-9.-]+)$/.exec(token);
    const kind = match && KIND_ALIASES[match[1]];
    return kind ? [{ token, kind, name: match![2] }] : [];
  });
  const verb = tokens[1];
  if (
    ['get', 'describe', 'delete'].includes(verb) &&
    KIND_ALIASES[tokens[2]] &&
    /^[a-z0-9.-]+$/.test(tokens[3] ?? '')
  ) {
    named.push({ token: `${tokens[2]} ${tokens[3]}`, kind: KIND_ALIASES[tokens[2]], name: tokens[3] });
  }
  return named;
}

function checkCommand(tokens: readonly string[], index: ManifestIndex): Problem[] {
  const problems: Problem[] = [];
  const named = namedObjects(tokens);
  for (const { token, kind, name } of named) {
    if (!index.has(kind, name)) {
      const what =
        token.startsWith('endpoints') || token.startsWith('ep') ? 'endpoints are named after a Service, and' : '';
      problems.push({
        token,
        message: `${what} there is no ${kind} named ${JSON.stringify(name)} (${kind}s: ${index.names(kind)})`.trim(),
      });
    }
  }
  for (const text of selectorOptions(tokens)) {
    const selector = parseEqualitySelector(text);
    if (!selector) {
      problems.push({ token: text, message: 'is not an equality selector of the form key=value,key=value' });
    } else if (!index.templateLabels().some((labels) => selectorMatches(selector, labels))) {
      problems.push({
        token: text,
        message: `matches the labels of no Pod template (${index
          .templateLabels()
          .map((l) => formatSelector(l))
          .join('; ')})`,
      });
    }
  }
  if (tokens[1] === 'port-forward') {
    const target = named.find((n) => n.kind === 'Deployment');
    const remote = tokens.map((t) => /^\d*:(\d+)$/.exec(t)).find(Boolean);
    if (
      target &&
      index.has('Deployment', target.name) &&
      remote &&
      !index.containerPortsOf(target.name).some((p) => portAnswers(p, Number(remote[1])))
    ) {
      problems.push({
        token: remote[0],
        message: `port ${remote[1]} is not a container port of Deployment/${target!.name}`,
      });
    }
  }
  for (const file of manifestFileOptions(tokens)) {
    if (!index.hasFile(file)) {
      problems.push({ token: file, message: `names no manifest file of the set (files: ${index.files()})` });
    }
  }
  const inContainer = tokens.indexOf('--') >= 0 ? tokens.slice(tokens.indexOf('--') + 1) : [];
  const lookupAt = inContainer.indexOf('nslookup');
  const lookup = lookupAt >= 0 ? inContainer[lookupAt + 1] : undefined;
  if (lookup) {
    const name = lookup.split('.')[0];
    if (!index.has('Service', name)) {
      problems.push({
        token: lookup,
        message: `resolves only through a Service named ${JSON.stringify(name)}, and there is none (Services: ${index.names('Service')})`,
      });
    }
  }
  for (const token of inContainer) {
    const url = /^https?:\/\/([a-z0-9-]+)(?:\.[a-z0-9.-]*)?(?::(\d+))?(?:\/.*)?$/.exec(token);
    if (!url) {
      continue;
    }
    const port = Number(url[2] ?? (token.startsWith('https') ? 443 : 80));
    const service = index.service(url[1]);
    if (!service) {
      problems.push({
        token,
        message: `needs a Service named ${JSON.stringify(url[1])}, and there is none (Services: ${index.names('Service')})`,
      });
    } else if (!service.ports.some((p) => p.port === port)) {
      problems.push({ token, message: `needs Service/${url[1]} to listen on port ${port}` });
    }
  }
  return problems;
}

/**
 * The words of a command line, with the words of a quoted `sh -c '…'` script among them, so that
 * `kubectl exec deploy/sleep -- sh -c 'curl -v -s --head http://homepage'` is checked like the
 * same command unquoted. Quotes are dropped; nothing else of the shell's syntax matters here.
 */
function shellWords(text: string): string[] {
  return text
    .split(/\s+/)
    .map((word) => word.replace(/^['"]|['"]$/g, ''))
    .filter((word) => word !== '');
}

/**
 * The lesson rule: every kubectl command of the lesson names objects,
 * labels and ports that exist in the manifest set.
 */
export function checkLesson(commands: readonly LessonCommand[], view: CrossObjectView): Finding[] {
  const index = new ManifestIndex(view);
  return commands.flatMap((command) =>
    checkCommand(shellWords(command.text), index).map(
      (problem): Finding => ({
        rule: 'lesson',
        severity: 'error',
        file: command.where,
        object: command.text,
        path: problem.token,
        message: problem.message,
      }),
    ),
  );
}
