export { describeAppError, reportAppErrors } from './errors';
export type { ManifestFile } from './publish';
export { publishManifests } from './publish';
export { PublishError } from './publish-error';
export type { RenderedManifest } from './render';
export { renderCharts } from './render';
export type { SynthesizeOptions } from './synthesize';
export { PUBLISH_DIR_VARIABLE, synthesize } from './synthesize';
