import { childPath, type Finding, type JsonValue, type ManifestDocument, objectRef } from '@k8s-101/manifest-checker';
import type { RenderedObject } from './render-app';

const identity = (object: unknown): string => {
  const o = (object ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown } };
  return `${String(o.apiVersion)} ${String(o.metadata?.namespace ?? '')} ${objectRef(object as never)}`;
};

/** The path of the first value where `read` differs from `rendered`, with both values; undefined if equal. */
function firstDifference(
  rendered: JsonValue | undefined,
  read: JsonValue | undefined,
  at: string,
): { path: string; rendered: JsonValue | undefined; read: JsonValue | undefined } | undefined {
  if (typeof rendered !== 'object' || typeof read !== 'object' || rendered === null || read === null) {
    return Object.is(rendered, read) ? undefined : { path: at, rendered, read };
  }
  if (Array.isArray(rendered) !== Array.isArray(read)) {
    return { path: at, rendered, read };
  }
  const keys = new Set([...Object.keys(rendered), ...Object.keys(read)]);
  for (const key of keys) {
    const index = Array.isArray(rendered) ? Number(key) : key;
    const difference = firstDifference(
      (rendered as Record<string, JsonValue>)[key],
      (read as Record<string, JsonValue>)[key],
      childPath(at, index),
    );
    if (difference) {
      return difference;
    }
  }
  return undefined;
}

const shown = (value: JsonValue | undefined) => (value === undefined ? 'nothing' : JSON.stringify(value));

/**
 * Compares each document read back from the written files, with the reader kubectl's reading is
 * checked against, with the object its construct rendered, so that what kubectl applies is what
 * the constructs said: a string such as `0o022` written without quotes would reach kubectl as 18.
 *
 * @returns a `yaml` error per object that reads back differently, naming the file, the object, the
 *   construct, the first field that differs, and both values; empty when every object survives
 */
export function roundTripFindings(rendered: readonly RenderedObject[], docs: readonly ManifestDocument[]): Finding[] {
  const byIdentity = new Map(rendered.map((r) => [identity(r.object), r]));
  const findings: Finding[] = [];
  for (const doc of docs) {
    const source = byIdentity.get(identity(doc.object));
    const difference = firstDifference(source?.object, doc.object, '');
    if (!difference) {
      continue;
    }
    const construct = source ? `construct ${source.constructPath}, ` : '';
    findings.push({
      severity: 'error',
      file: doc.file,
      object: objectRef(doc.object),
      path: difference.path || '(the object)',
      rule: 'yaml',
      message: `${construct}rendered ${shown(difference.rendered)}, but the YAML written reads back as ${shown(difference.read)}`,
    });
  }
  return findings;
}
