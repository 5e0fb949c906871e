export { describeAppError, reportAppErrors } from './errors';
export type { ManifestFile } from './publish';
export { publishManifests } from './publish';
export { PublishError } from './publish-error';
export type { RenderedApp, RenderedManifest, RenderedObject } from './render-app';
export { renderApp, UnsupportedAppSettingError } from './render-app';
export { roundTripFindings } from './round-trip';
export type { SynthesizeOptions } from './synthesize';
export { PUBLISH_DIR_VARIABLE, synthesize } from './synthesize';
