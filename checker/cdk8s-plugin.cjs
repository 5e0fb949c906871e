// cdk8s-cli require()s a plugin as plain JavaScript, and the checker is TypeScript:
// it is compiled as it loads, types stripped only (type-checking is `npm test`'s job).
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
module.exports = require('./cdk8s-plugin.ts');
