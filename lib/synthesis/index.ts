export { describeAppError, reportAppErrors } from './errors';
export { ManifestFile, publishManifests } from './publish';
export { PublishError } from './publish-error';
export { RenderedManifest, renderCharts } from './render';
export { PUBLISH_DIR_VARIABLE, synthesize, SynthesizeOptions } from './synthesize';
