// The images the real node runs, built offline from Debian packages: the workshop's images cannot
// be pulled here (and the node's network namespace has no route out), so local equivalents are
// imported into containerd under exactly the names dist/ uses, the way a user loads images into kind.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOMEPAGE_IMAGE, HTTP_PORT, SLEEP_IMAGE } from '../lib/constants';

const IMAGES_DIR = path.resolve(__dirname, 'images');
/** The Debian release every image is built from. */
const DEBIAN_SUITE = 'bookworm';
/** The sandbox image containerd starts for every Pod; containerd is configured with this name. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
// Documentation, manual pages and translations are of no use inside a container.
const SLIM = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/locale/*', '/usr/share/info/*'].map(
  (pattern) => `--dpkgopt=path-exclude=${pattern}`,
);

/** An image archive ready for `ctr image import`. */
export interface ImageArchive {
  /** The name the image is imported under. */
  readonly name: string;
  /** A docker-archive tarball. */
  readonly archive: string;
}

interface ImageRecipe {
  readonly file: string;
  readonly name: string;
  /** Where its files come from, for the progress line. */
  readonly source: string;
  /** Makes the root filesystem as a tarball at `layer`, in the scratch folder `work`. */
  readonly buildLayer: (layer: string, work: string) => void;
  readonly config: Record<string, unknown>;
}

function run(command: string, args: string[], what: string): void {
  // mmdebstrap took 35 s for the largest image; 20 min means a mirror or a lock is stuck.
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 20 * 60_000 });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`}): ${command} ${args.join(' ')}`,
    );
  }
}

/** `mmdebstrap` into a tarball: the essential packages, `packages`, then `hooks` run on the tree ("$1"). */
function debianLayer(packages: string[], hooks: string[]) {
  return (layer: string) =>
    run(
      'mmdebstrap',
      [
        '--variant=essential',
        '--format=tar',
        `--include=${packages.join(',')}`,
        ...SLIM,
        ...hooks.map((hook) => `--customize-hook=${hook}`),
        DEBIAN_SUITE,
        layer,
      ],
      `building ${path.basename(layer)} with mmdebstrap`,
    );
}

function recipes(pauseSource: string): ImageRecipe[] {
  const homepage = path.join(IMAGES_DIR, 'homepage');
  return [
    {
      file: 'homepage.tar',
      name: HOMEPAGE_IMAGE,
      source: `Debian ${DEBIAN_SUITE}'s nginx-light`,
      buildLayer: debianLayer(
        ['nginx-light'],
        [
          'rm -f "$1/etc/nginx/sites-enabled/default"',
          `cp ${homepage}/homepage.conf "$1/etc/nginx/conf.d/homepage.conf"`,
          `mkdir -p "$1/usr/share/nginx/html" && cp ${homepage}/index.html "$1/usr/share/nginx/html/index.html"`,
          // As in the official nginx image: the access and error logs are the container's output.
          'ln -sf /dev/stdout "$1/var/log/nginx/access.log" && ln -sf /dev/stderr "$1/var/log/nginx/error.log"',
        ],
      ),
      config: {
        Cmd: ['nginx', '-g', 'daemon off;'],
        ExposedPorts: { [`${HTTP_PORT.number}/tcp`]: {} },
        StopSignal: 'SIGQUIT',
      },
    },
    {
      file: 'sleep.tar',
      name: SLEEP_IMAGE,
      source: `Debian ${DEBIAN_SUITE}'s curl, jq and dnsutils`,
      buildLayer: debianLayer(['curl', 'jq', 'dnsutils', 'ca-certificates'], []),
      // A shell that idles until stopped; the trap makes it stop at once instead of after the grace period.
      config: { Cmd: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity & wait"] },
    },
    {
      file: 'pause.tar',
      name: PAUSE_IMAGE,
      source: "the k8s.io/kubernetes module's pause.c",
      buildLayer: (layer, work) => {
        const root = path.join(work, 'pause-root');
        fs.mkdirSync(root);
        run('gcc', ['-Os', '-static', '-o', path.join(root, 'pause'), pauseSource], 'compiling pause.c');
        run(
          'tar',
          ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', layer, '-C', root, 'pause'],
          'packing pause',
        );
      },
      config: { Entrypoint: ['/pause'] },
    },
  ];
}

function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) {
        break;
      }
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Wraps a one-layer root filesystem as a docker archive (manifest.json, config, layer). */
function packArchive(recipe: ImageRecipe, layer: string, out: string, work: string): void {
  const dir = fs.mkdtempSync(path.join(work, 'archive-'));
  fs.renameSync(layer, path.join(dir, 'layer.tar'));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...recipe.config },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256File(path.join(dir, 'layer.tar'))}`] },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const tag = /:[^/]+$/.test(recipe.name) ? recipe.name : `${recipe.name}:latest`;
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: [tag], Layers: ['layer.tar'] }]),
  );
  run('tar', ['-cf', out, '-C', dir, 'manifest.json', 'config.json', 'layer.tar'], `packing ${recipe.name}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Everything an image depends on, so that a change to any of it rebuilds the images. */
export function inputsHash(pauseSource: string): string {
  const hash = createHash('sha256');
  hash.update(fs.readFileSync(__filename));
  hash.update(DEBIAN_SUITE);
  for (const file of fs.readdirSync(IMAGES_DIR, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = path.join(IMAGES_DIR, file);
    if (fs.statSync(full).isFile()) {
      hash.update(file).update(fs.readFileSync(full));
    }
  }
  hash.update(fs.readFileSync(pauseSource));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the workshop's images and the pause image, or reuses the archives of an earlier build with
 * the same inputs from `~/.cache/k8s-101-networking/images/<hash>`.
 */
export function nodeImages(pauseSource: string, log: (line: string) => void): ImageArchive[] {
  const cacheRoot = path.join(
    process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
    'k8s-101-networking',
    'images',
  );
  const cached = path.join(cacheRoot, inputsHash(pauseSource));
  const all = recipes(pauseSource);
  const archives = all.map((recipe) => ({ name: recipe.name, archive: path.join(cached, recipe.file) }));
  if (archives.every((image) => fs.existsSync(image.archive))) {
    log(`images: reusing ${cached}`);
    return archives;
  }
  fs.mkdirSync(cacheRoot, { recursive: true });
  // Built beside the cache and renamed into place, so an interrupted build is never mistaken for a finished one.
  const work = fs.mkdtempSync(path.join(cacheRoot, 'building-'));
  try {
    const built = path.join(work, 'out');
    fs.mkdirSync(built);
    all.forEach((recipe, index) => {
      const started = Date.now();
      log(`images: [${index + 1}/${all.length}] building ${recipe.name} from ${recipe.source}`);
      const layer = path.join(work, `${recipe.file}.layer`);
      recipe.buildLayer(layer, work);
      packArchive(recipe, layer, path.join(built, recipe.file), work);
      const size = fs.statSync(path.join(built, recipe.file)).size;
      log(
        `images: [${index + 1}/${all.length}] ${recipe.name}: ${(size / 2 ** 20).toFixed(0)} MiB in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    });
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(built, cached);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return archives;
}
