/**
 * The widget's figures: bundle sizes as a browser downloads them, and two timings in headless
 * Chromium on the demo page of a sandbox-mode server (medians over fresh page loads):
 * - script start → element defined: from the end of the widget script's download (its resource
 *   timing `responseEnd`, when the browser can start running it) to `customElements.define`;
 * - click → `IMP.request_pay`: from the click event to the SDK's request_pay being called, with the
 *   SDK already prefetched; compared with the `POST /orders` round trip that sits in between.
 */
import { readFile } from "node:fs/promises";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { launchChromium } from "../e2e/browser.js";
import { repoRoot } from "./processes.js";

export interface BundleSize {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

export async function bundleSizes(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const file of ["iamport-pay-button.js", "iamport-pay-button.iife.js"]) {
    const bytes = await readFile(`${repoRoot}widget/dist/${file}`);
    sizes.push({
      file,
      raw: bytes.length,
      // The same settings as widget/scripts/size.mjs, so the figures agree with `pnpm size`.
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        .length,
    });
  }
  return sizes;
}

export interface WidgetTimings {
  runs: number;
  /** Median ms from the widget script's responseEnd to customElements.define. */
  scriptToDefined: number;
  /** Median ms from navigation start to customElements.define. */
  navigationToDefined: number;
  /** Median ms from click to IMP.request_pay. */
  clickToRequestPay: number;
  /** Median ms of the POST /orders round trip inside that click. */
  ordersRoundTrip: number;
  /** Median of (click → request_pay) − (POST /orders round trip), per run. */
  clickOverhead: number;
}

/**
 * Runs in the page before any of its scripts: marks define, click and request_pay. A string, not
 * a function: tsx's transform would add helpers (`__name`) that do not exist in the page.
 */
const instrument = `
  const marks = (window.__bench = {});
  const define = CustomElementRegistry.prototype.define;
  CustomElementRegistry.prototype.define = function (name, ...rest) {
    if (name === "iamport-pay-button") marks.defined = performance.now();
    return define.call(this, name, ...rest);
  };
  document.addEventListener("click", () => { marks.click ??= performance.now(); }, true);
  // The SDK assigns window.IMP once it has loaded: wrap its request_pay as it arrives.
  let imp;
  Object.defineProperty(window, "IMP", {
    configurable: true,
    get: () => imp,
    set(value) {
      const original = value.request_pay;
      value.request_pay = function (...args) {
        marks.requestPay ??= performance.now();
        return original.apply(this, args);
      };
      imp = value;
    },
  });
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export async function widgetTimings(shopUrl: string, runs: number): Promise<WidgetTimings> {
  const browser = await launchChromium();
  const samples = { script: [], navigation: [], click: [], orders: [], overhead: [] } as Record<
    "script" | "navigation" | "click" | "orders" | "overhead",
    number[]
  >;
  try {
    // One warm-up load (Chromium's and the server's first-time costs), then the measured runs.
    for (let run = -1; run < runs; run++) {
      const context = await browser.newContext();
      await context.addInitScript({ content: instrument });
      const page = await context.newPage();
      await page.goto(`${shopUrl}/`);
      // Ready to pay: cart filled by the demo, SDK prefetched (window.IMP set).
      await page.waitForFunction(
        () =>
          (window as unknown as { IMP?: unknown }).IMP !== undefined &&
          (document.getElementById("pay") as HTMLElement & { disabled: boolean }).disabled ===
            false,
      );
      await page.getByRole("button", { name: /결제하기/ }).click();
      await page.waitForFunction(
        () => (window as unknown as { __bench: { requestPay?: number } }).__bench.requestPay,
      );
      const figures = await page.evaluate(() => {
        const marks = (window as unknown as { __bench: Record<string, number> }).__bench;
        const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
        const script = resources.find((entry) => entry.name.endsWith("/iamport-pay-button.js"));
        const orders = resources.find(
          (entry) => new URL(entry.name).pathname === "/orders" && entry.initiatorType === "fetch",
        );
        return {
          defined: marks.defined ?? Number.NaN,
          scriptEnd: script?.responseEnd ?? Number.NaN,
          click: marks.click ?? Number.NaN,
          requestPay: marks.requestPay ?? Number.NaN,
          orders: orders?.duration ?? Number.NaN,
        };
      });
      await context.close();
      if (run < 0) continue;
      samples.script.push(figures.defined - figures.scriptEnd);
      samples.navigation.push(figures.defined);
      samples.click.push(figures.requestPay - figures.click);
      samples.orders.push(figures.orders);
      samples.overhead.push(figures.requestPay - figures.click - figures.orders);
    }
  } finally {
    await browser.close();
  }
  return {
    runs,
    scriptToDefined: median(samples.script),
    navigationToDefined: median(samples.navigation),
    clickToRequestPay: median(samples.click),
    ordersRoundTrip: median(samples.orders),
    clickOverhead: median(samples.overhead),
  };
}
