/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the time went: self time
 * grouped by package (drizzle-orm, postgres, hono, zod, Node's HTTP and fetch internals, our code)
 * and the busiest functions.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** The measured window: the load at the end of the profile. */
  windowMs: number;
  /** Milliseconds of that window the main thread was busy (not idle). */
  busyMs: number;
  byGroup: { group: string; percent: number }[];
  topFunctions: { name: string; percent: number }[];
}

function groupOf(url: string, functionName: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "garbage collector";
    if (functionName === "(idle)") return "idle";
    return "V8 / native";
  }
  const pnpm = /node_modules\/\.pnpm\/(@[^+/]+\+[^@/]+|[^@/]+)@/.exec(url);
  if (pnpm?.[1]) return pnpm[1].replace("+", "/");
  const plain = /node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(url);
  if (plain?.[1]) return plain[1];
  if (url.startsWith("node:internal/deps/undici")) return "undici (fetch)";
  if (url.startsWith("node:")) return "Node internals (http, net, streams)";
  if (url.includes("/server/src/")) return "server/src";
  if (url.includes("/shared/src/")) return "shared/src";
  if (url.includes("/test/bench/")) return "test/bench";
  return "other";
}

/**
 * Summarises the main thread's profile in `dir`, counting only the last `windowMs` of it (the load; the
 * process stops right after), so start-up work (tsx compiling, migrations) does not blur it.
 */
export async function summariseProfile(
  dir: string,
  windowMs: number,
): Promise<ProfileSummary | undefined> {
  // One file per thread (tsx adds a loader thread); the main thread's is the largest.
  const files = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
  let file: string | undefined;
  let largest = -1;
  for (const name of files) {
    const { size } = await stat(join(dir, name));
    if (size > largest) [file, largest] = [name, size];
  }
  if (file === undefined) return undefined;
  const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
  // Self samples per node inside the window (times are microseconds).
  const from = profile.endTime - windowMs * 1000;
  const hitsOf = new Map<number, number>();
  let time = profile.startTime;
  profile.samples.forEach((nodeId, i) => {
    time += profile.timeDeltas[i] ?? 0;
    if (time >= from) hitsOf.set(nodeId, (hitsOf.get(nodeId) ?? 0) + 1);
  });
  const sampled = [...hitsOf.values()].reduce((a, b) => a + b, 0) || 1;
  const msPerHit = Math.min(windowMs, (profile.endTime - profile.startTime) / 1000) / sampled;

  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyHits = 0;
  for (const node of profile.nodes) {
    const hits = hitsOf.get(node.id) ?? 0;
    if (hits === 0) continue;
    const { url, functionName, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    if (group === "idle") continue;
    busyHits += hits;
    groups.set(group, (groups.get(group) ?? 0) + hits);
    const short = url
      .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
      .replace(/^file:\/\/.*\/main\//, "");
    const name = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + hits);
  }
  const percent = (hits: number) => Math.round((hits / (busyHits || 1)) * 1000) / 10;
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    file: join(dir, file),
    windowMs: Math.round(windowMs),
    busyMs: Math.round(busyHits * msPerHit),
    byGroup: top(groups, 10).map(([group, hits]) => ({ group, percent: percent(hits) })),
    topFunctions: top(functions, 10).map(([name, hits]) => ({ name, percent: percent(hits) })),
  };
}
