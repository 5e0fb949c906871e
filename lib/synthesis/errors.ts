import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestValidationError } from '@k8s-101/manifest-checker';
import { PublishError } from './publish-error';
import { UnsupportedAppSettingError } from './render-app';

/** Stack frames shown at most: enough to reach main.ts from a construct nested a few levels deep. */
const MAX_FRAMES = 8;

/**
 * Describes an error that stopped the app, for a person.
 *
 * Errors that already name the file and field they are about (failed
 * validation, a refused output folder) are shown by their message alone.
 * Any other error, a TypeError inside a construct say, shows its type, its
 * message and the frames of the stack that lie in the project's own files
 * (not in node_modules, not in Node.js itself), with paths relative to `cwd`:
 * the place to look first.
 */
export function describeAppError(error: unknown, cwd: string = process.cwd()): string {
  if (
    error instanceof ManifestValidationError ||
    error instanceof PublishError ||
    error instanceof UnsupportedAppSettingError
  ) {
    return error.message;
  }
  if (!(error instanceof Error)) {
    return `${typeof error === 'object' ? 'Thrown object' : 'Thrown value'}: ${String(error)}`;
  }
  const syntax = describeTransformError(error, cwd);
  if (syntax !== undefined) {
    return syntax;
  }
  const heading = `${error.name}: ${error.message}`;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const ownFrames = frames.flatMap((line) => {
    const frame = projectFrame(line, cwd);
    return frame === undefined ? [] : [frame];
  });
  const shown = ownFrames.length > 0 ? ownFrames : frames.map((line) => line.trim());
  return [heading, ...shown.slice(0, MAX_FRAMES).map((frame) => `    ${frame}`)].join('\n');
}

/** `ERROR` lines of a failed esbuild transform: `/abs/main.ts:12:28: ERROR: message`, column from 0. */
const TRANSFORM_ERROR = /^(.+?):(\d+):(\d+): ERROR: (.*)$/gm;

/**
 * A TypeScript file that does not parse, as an editor shows it: `main.ts:12:29: message`, the line
 * and a caret under the column (from 1). tsx strips types with esbuild, whose `TransformError`
 * carries its messages in its text only, and whose stack is a line of minified source.
 * @returns undefined for any other error
 */
function describeTransformError(error: Error, cwd: string): string | undefined {
  if (error.name !== 'TransformError') {
    return undefined;
  }
  const described = [...error.message.matchAll(TRANSFORM_ERROR)].map(([, file, row, column, message]) => {
    const place = `${path.relative(cwd, file)}:${row}:${Number(column) + 1}`;
    let source = '';
    try {
      source = fs.readFileSync(file, 'utf8').split('\n')[Number(row) - 1] ?? '';
    } catch {
      // The place and the message are still shown.
    }
    const gutter = ' '.repeat(row.length);
    return `${place}: ${message}\n  ${row} | ${source}\n  ${gutter} | ${' '.repeat(Number(column))}^`;
  });
  return described.length > 0 ? described.join('\n') : `${error.name}: ${error.message}`;
}

/**
 * `at fn (lib/x.ts:12:5)` for a V8 stack line in a project file, else undefined.
 * Parsed from `error.stack` because that is the only form in which Node.js
 * applies source maps, which turn the runner's compiled lines back into .ts lines.
 */
function projectFrame(line: string, cwd: string): string | undefined {
  const match = /^\s+at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
  if (!match) {
    return undefined;
  }
  const [, fn, location, row, column] = match;
  let file = location.startsWith('file://') ? fileURLToPath(location) : location;
  if (!path.isAbsolute(file) || file.split(path.sep).includes('node_modules')) {
    return undefined;
  }
  file = path.relative(cwd, file);
  const place = `${file}:${row}:${column}`;
  return fn ? `at ${fn} (${place})` : `at ${place}`;
}

let reporting = false;

/**
 * Makes an error thrown anywhere in the app, while building its constructs or
 * while synthesizing, print as `describeAppError` says and exit at once with code 1,
 * also when standard error is a closed pipe.
 * `npm run synth` preloads it (report-app-errors.ts), so that a file that does not even parse is
 * reported too; an entry point run otherwise calls it first thing. Calling it again does nothing.
 */
export function reportAppErrors(): void {
  if (reporting) {
    return;
  }
  reporting = true;
  process.on('uncaughtException', (error) => {
    // Written synchronously, and the process ends here: a reader that has gone away (`| head -1`)
    // makes any later write fail too, and an asynchronous failure would come back to this handler.
    try {
      fs.writeSync(2, `${describeAppError(error)}\n`);
    } catch {
      // Nobody is reading standard error any more; the exit code still tells.
    }
    process.exit(1);
  });
}
