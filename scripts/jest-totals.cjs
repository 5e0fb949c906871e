// Jest reporter: writes the run's totals as JSON to $TEST_TOTALS_FILE (when set),
// so that CI can add them to the end-to-end totals on one closing line.
const fs = require('node:fs');

class TotalsReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.TEST_TOTALS_FILE;
    if (file) {
      const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
      fs.writeFileSync(
        file,
        JSON.stringify({ passed: results.numPassedTests, failed, skipped: results.numPendingTests }),
      );
    }
  }
}

module.exports = TotalsReporter;
