// Reports the built widget's size (gzip and brotli, as a browser downloads it) and fails when the
// IIFE (the classic <script>, Lit included) is over budget (docs/benchmarks.md, "Widget size"),
// or when either build carries zod (shared's schemas are for servers: the widget checks by hand).
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const BUDGET_GZIP = 11_200; // bytes, the IIFE; kB as Vite prints them
// zod's schemas keep their state in `_zod`, a name nothing else here uses.
const ZOD = /\b_zod\b|\$ZodType/;
const files = ["iamport-pay-button.js", "iamport-pay-button.iife.js"];
const dist = new URL("../dist/", import.meta.url);
const kb = (n) => `${(n / 1000).toFixed(2)} kB`;

let failed = false;
for (const name of files) {
  let bytes;
  try {
    bytes = readFileSync(new URL(name, dist));
  } catch {
    console.error(`size: dist/${name} is missing; run \`pnpm --filter @iamport-pay/widget build\``);
    process.exit(1);
  }
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length;
  const over = name.endsWith(".iife.js") && gzip > BUDGET_GZIP;
  const zod = ZOD.test(bytes.toString("utf8"));
  failed ||= over || zod;
  console.log(
    `${name.padEnd(28)} raw ${kb(bytes.length).padStart(9)}  gzip ${kb(gzip).padStart(9)}  brotli ${kb(brotli).padStart(9)}${over ? `  OVER BUDGET (${kb(BUDGET_GZIP)} gzip)` : ""}${zod ? "  CARRIES ZOD (import shared's zod-free subpaths)" : ""}`,
  );
}
if (failed) process.exit(1);
