export { describeAppError, reportAppErrors } from './errors';
export { ManifestFile, publishManifests, PublishError } from './publish';
export { RenderedManifest, renderCharts } from './render';
export { PUBLISH_DIR_VARIABLE, synthesize, SynthesizeOptions } from './synthesize';
