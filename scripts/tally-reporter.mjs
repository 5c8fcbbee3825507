// A web-test-runner reporter that appends each run's counts per browser, as JSON lines, to the
// file named by TEST_TALLY_FILE (.ci/run adds them up): the runner's own output redraws its
// progress lines, which makes counting them from a log unreliable.
import { appendFileSync } from "node:fs";

/** @param {import("@web/test-runner-core").TestSuiteResult | undefined} suite */
function count(suite) {
  const tally = { passed: 0, failed: 0, skipped: 0 };
  if (!suite) return tally;
  for (const test of suite.tests) {
    if (test.skipped) tally.skipped += 1;
    else if (test.passed) tally.passed += 1;
    else tally.failed += 1;
  }
  for (const child of suite.suites) {
    const inner = count(child);
    tally.passed += inner.passed;
    tally.failed += inner.failed;
    tally.skipped += inner.skipped;
  }
  return tally;
}

/** @param {string | undefined} file */
export function tallyReporter(file = process.env.TEST_TALLY_FILE) {
  return {
    /** @param {{ sessions: import("@web/test-runner-core").TestSession[] }} args */
    onTestRunFinished({ sessions }) {
      if (!file) return;
      /** @type {Map<string, { passed: number, failed: number, skipped: number }>} */
      const byBrowser = new Map();
      for (const session of sessions) {
        const tally = count(session.testResults);
        // A file that failed to load or threw outside a test counts as one failed test.
        if (tally.failed === 0 && session.passed === false) tally.failed = 1;
        const total = byBrowser.get(session.browser.name) ?? { passed: 0, failed: 0, skipped: 0 };
        total.passed += tally.passed;
        total.failed += tally.failed;
        total.skipped += tally.skipped;
        byBrowser.set(session.browser.name, total);
      }
      for (const [browser, tally] of byBrowser) {
        appendFileSync(
          file,
          `${JSON.stringify({ runner: "web-test-runner", browser, ...tally })}\n`,
        );
      }
    },
  };
}
