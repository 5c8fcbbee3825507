/**
 * A new PGlite database (a new data directory, or any `memory://` one) starts from a template:
 * the output of PostgreSQL's initdb, made once and kept as a gzipped tar. Loading it takes about
 * a second of CPU where initdb takes five or six, and initdb needs a second WebAssembly instance
 * that an in-memory database would otherwise leave in the process (about 800 MB resident after
 * an in-memory start with initdb, about 550 MB from the template).
 *
 * The template is `.pglite-template/<PGlite version>.tar.gz` in the server package, made by
 * `pnpm build` (and shipped in the package); when it is missing (another PGlite version, or no
 * build yet) the first start makes it, initdb running in a worker thread that then exits, and
 * tries to save it for later starts. Writes are atomic (a temporary file renamed), so processes
 * starting at once can only replace a complete template with another complete one.
 */
import { randomBytes } from "node:crypto";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const pglite = import.meta.resolve("@electric-sql/pglite");
// The same folder from src/db and dist/db: the package's own.
const defaultDir = fileURLToPath(new URL("../../.pglite-template/", import.meta.url));

const made = new Map<string, Promise<Blob>>();

/**
 * The template for this PGlite version, read (or made and saved) once per process and folder;
 * `dir` is for tests.
 */
export function pgliteTemplate(dir = defaultDir): Promise<Blob> {
  let template = made.get(dir);
  if (template === undefined) {
    template = readOrMake(dir);
    made.set(dir, template);
    // A failure is not kept: the next start tries again.
    template.catch(() => made.delete(dir));
  }
  return template;
}

/** Makes and saves the template for this PGlite version unless it is there (`pnpm build`). */
export async function ensureTemplate(dir = defaultDir): Promise<string> {
  const path = await templatePath(dir);
  const there = await access(path).then(
    () => true,
    () => false,
  );
  if (!there) await save(path, await makeTemplate());
  return path;
}

export async function templatePath(dir = defaultDir): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL("../package.json", pglite), "utf8"));
  return join(dir, `${manifest.version}.tar.gz`);
}

const asBlob = (bytes: ArrayBuffer) => new Blob([bytes], { type: "application/x-gzip" });

async function readOrMake(dir: string): Promise<Blob> {
  const path = await templatePath(dir);
  const saved = await readFile(path).catch(() => undefined);
  // A copy in an ArrayBuffer of its own (Node's Buffer may share a pool).
  if (saved !== undefined) return asBlob(new Uint8Array(saved).buffer);
  const template = await makeTemplate();
  await save(path, template).catch(() => {
    // A read-only install: each first start makes its own, as without a template.
  });
  return asBlob(template);
}

async function save(path: string, template: ArrayBuffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${randomBytes(6).toString("hex")}.partial`;
  try {
    await writeFile(partial, new Uint8Array(template));
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
}

/** initdb in a worker thread, whose WebAssembly memory goes when it exits. */
async function makeTemplate(): Promise<ArrayBuffer> {
  // An ES module by data: URL, whatever the process's module flags (`--input-type`).
  const source = `import { workerData, parentPort } from "node:worker_threads";
    const { PGlite } = await import(workerData.pglite);
    const db = new PGlite();
    await db.waitReady;
    const dump = await db.dumpDataDir("gzip");
    await db.close();
    const bytes = await dump.arrayBuffer();
    parentPort.postMessage(bytes, [bytes]);`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
    workerData: { pglite },
  });
  return new Promise<ArrayBuffer>((resolve, reject) => {
    let template: ArrayBuffer | undefined;
    worker.once("message", (bytes: ArrayBuffer) => {
      template = bytes;
    });
    worker.once("error", reject);
    worker.once("exit", (code) =>
      code === 0 && template !== undefined
        ? resolve(template)
        : reject(new Error(`PGlite initdb exited with ${code}`)),
    );
  });
}
