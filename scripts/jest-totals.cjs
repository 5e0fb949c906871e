// Jest reporter: names every skipped test (whose name carries its reason), and writes the run's
// totals as JSON to $TEST_TOTALS_FILE (when set), so that CI can add them to the end-to-end totals
// on one closing line.
const fs = require('node:fs');

class TotalsReporter {
  onRunComplete(_contexts, results) {
    for (const suite of results.testResults) {
      for (const test of suite.testResults) {
        if (test.status === 'pending' || test.status === 'skipped') {
          process.stderr.write(`skipped: ${test.fullName}\n`);
        }
      }
    }
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
