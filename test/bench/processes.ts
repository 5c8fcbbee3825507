/**
 * Child processes for the bench: each service runs as its own `node --import tsx` process (not
 * through pnpm), so the pid we hold is the one whose memory and CPU we measure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface Service {
  name: string;
  url: string;
  pid: number;
  /** From spawning the process to its first ready answer, in ms (includes tsx compiling). */
  startMs: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): Promise<number>;
  /** Resident set size now (VmRSS), in MB. */
  rssMb(): Promise<number>;
  /** CPU time used so far (user + system), in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface StartServiceOptions {
  name: string;
  /** Script path relative to the repository root. */
  script: string;
  env: Record<string, string>;
  /** Path answering 2xx once the service is ready. */
  readyPath: string;
  nodeArgs?: string[];
  port: number;
}

export async function startService(options: StartServiceOptions): Promise<Service> {
  const spawned = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", "tsx", options.script],
    {
      cwd: repoRoot,
      env: { ...process.env, ...options.env, PORT: String(options.port), HOST: "127.0.0.1" },
      // Request logs go nowhere (they still cost the server their formatting and write);
      // stderr is kept for the error message should the service fail to start.
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await waitReady(`${url}${options.readyPath}`, child, () => stderr, options.name);
  const startMs = performance.now() - spawned;
  const pid = child.pid ?? 0;
  return {
    name: options.name,
    url,
    pid,
    startMs,
    peakRssMb: () => peakRssMb(pid),
    rssMb: () => statusMb(pid, "VmRSS"),
    cpuMs: () => cpuMs(pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(
  url: string,
  child: ChildProcess,
  stderr: () => string,
  name: string,
): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${stderr()}`);
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  throw new Error(`${name} was not ready within 180 s:\n${stderr()}`);
}

/** VmHWM from /proc: the peak resident set of the process so far. */
export function peakRssMb(pid: number): Promise<number> {
  return statusMb(pid, "VmHWM");
}

async function statusMb(pid: number, field: "VmHWM" | "VmRSS"): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status);
  return match?.[1] ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

/** utime + stime from /proc/<pid>/stat (clock ticks; 100 per second on Linux). */
export async function cpuMs(pid: number): Promise<number> {
  return statCpuMs(await readFile(`/proc/${pid}/stat`, "utf8"));
}

/** utime + stime of a /proc/<pid>/stat text, in ms. */
function statCpuMs(stat: string): number {
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU of every PostgreSQL server process (their comm is `postgres`), in ms: a verification's
 * statements run there, outside the server's own process, on the same two cores.
 */
export async function postgresCpuMs(): Promise<number> {
  let total = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      if (stat.includes("(postgres)")) total += statCpuMs(stat);
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return total;
}

/** Busy CPU of the whole machine (all cores, everything but idle and iowait), in ms. */
export async function machineBusyMs(): Promise<number> {
  const first = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10
  );
}
