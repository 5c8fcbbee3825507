// A new PGlite database starts from initdb's output made once (pglite-template.ts).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, expect, it } from "vitest";
import { pgliteTemplate, templatePath } from "./pglite-template.js";

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("makes the template when it is missing, saves it whole, and reads it back after", async () => {
  dir = await mkdtemp(join(tmpdir(), "iamport-pay-template-"));
  const template = await pgliteTemplate(dir);
  const path = await templatePath(dir);
  expect(await readdir(dir)).toEqual([path.slice(dir.length + 1)]);
  const saved = await readFile(path);
  // gzip's magic number, and the same bytes that were handed out.
  expect([saved[0], saved[1]]).toEqual([0x1f, 0x8b]);
  expect(Buffer.from(await template.arrayBuffer()).equals(saved)).toBe(true);
  expect(await pgliteTemplate(dir)).toBe(template);

  const db = new PGlite({ loadDataDir: template });
  try {
    const { rows } = await db.query<{ n: number }>("select 41 + 1 as n");
    expect(rows).toEqual([{ n: 42 }]);
  } finally {
    await db.close();
  }
}, 300_000);
