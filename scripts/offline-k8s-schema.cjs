// Preloaded into `cdk8s import` so that the Kubernetes API schema is read from a
// local copy when one exists: the importer otherwise insists on downloading it.
// Set K8S_SCHEMA_DIR to a folder holding v<version>/_definitions.json
// (default: ../shared/kubernetes-schemas beside the project).
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { PassThrough } = require('node:stream');

const schemaUrl =
  /^https:\/\/raw\.githubusercontent\.com\/cdk8s-team\/cdk8s\/[^/]+\/kubernetes-schemas\/(v[0-9.]+)\/_definitions\.json$/;
const schemaDir = process.env.K8S_SCHEMA_DIR ?? path.resolve(__dirname, '..', '..', 'shared', 'kubernetes-schemas');
const networkGet = https.get;

https.get = function get(url, ...rest) {
  const match = typeof url === 'string' ? schemaUrl.exec(url) : null;
  const localCopy = match && path.join(schemaDir, match[1], '_definitions.json');
  if (!localCopy || !fs.existsSync(localCopy)) {
    return networkGet.call(this, url, ...rest);
  }
  process.stderr.write(`Reading the ${match[1]} schema from ${localCopy}\n`);
  const callback = rest.find((arg) => typeof arg === 'function');
  const response = new PassThrough();
  response.statusCode = 200;
  const request = new PassThrough();
  process.nextTick(() => {
    callback(response);
    fs.createReadStream(localCopy).pipe(response);
  });
  return request;
};
