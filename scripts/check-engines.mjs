// Before the tests: which browser engines are here. Locally a missing engine is skipped, named in
// one line; in CI (CI=true) every engine must be there. ENGINES=chromium,webkit picks engines.
import { enginePackages, selectEngines } from "./engines.mjs";

const names = { chromium: "Chromium", firefox: "Firefox", webkit: "WebKit" };
const { engines, skipped } = selectEngines();
const ci = process.env.CI === "true" || process.env.CI === "1";

if (skipped.length > 0) {
  const list = skipped.map(({ engine, reason }) => `${names[engine]} (${reason})`).join(", ");
  const install = skipped.map(({ engine }) => enginePackages[engine]).join(" ");
  if (ci) {
    console.error(`Browser engines missing in CI: ${list}. apt-get install -y ${install}`);
    process.exit(1);
  }
  console.warn(
    `Browser tests skip ${list}; running ${engines.map((e) => names[e]).join(", ") || "none"}. apt-get install -y ${install}`,
  );
}
if (engines.length === 0) {
  console.error("No browser engine to test in.");
  process.exit(1);
}
