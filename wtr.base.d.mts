// Types for wtr.base.mjs, so TypeScript tests share its Chromium path and flags.
export declare const chromePath: string;
export declare const chromeFlags: string[];
export declare function browserTestConfig(options: {
  tsconfig: string;
  files: string[] | string;
  [key: string]: unknown;
}): Record<string, unknown>;
