// cdk8s-cli require()s a plugin as plain JavaScript, and the checker is TypeScript: tsx's
// require hook compiles it as it loads, types stripped only (type-checking is `npm test`'s job).
require('tsx/cjs');
module.exports = require('./cdk8s-plugin.ts');
