// Types for engines.mjs, so TypeScript tests (the journeys) share its engines, paths and flags.
export type Engine = "chromium" | "firefox" | "webkit";
export declare const allEngines: readonly Engine[];
export declare const chromeFlags: string[];
export declare const firefoxPrefs: Record<string, unknown>;
export declare const enginePackages: Record<Engine, string>;
export declare function enginePaths(env?: NodeJS.ProcessEnv): Record<Engine | "xvfbRun", string>;
export declare function missing(engine: Engine, env?: NodeJS.ProcessEnv): string | undefined;
export declare function selectEngines(env?: NodeJS.ProcessEnv): {
  engines: Engine[];
  skipped: { engine: Engine; reason: string }[];
};
export declare function webkitCapabilities(args?: string[]): Record<string, unknown>;
export declare function startWebKitDriver(
  env?: NodeJS.ProcessEnv,
): Promise<{ url: string; port: number; stop: () => Promise<void> }>;
