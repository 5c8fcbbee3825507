// Types for wtr.base.mjs, so TypeScript tests share its browser paths and flags.
export declare const chromePath: string;
export declare const chromeFlags: string[];
export declare const firefoxPath: string;
export declare const firefoxPrefs: Record<string, unknown>;
export declare function browserTestConfig(options: {
  tsconfig: string;
  files: string[] | string;
  [key: string]: unknown;
}): Record<string, unknown>;
