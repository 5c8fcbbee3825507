import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configVariables, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("runs in sandbox mode with the documented defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      databaseUrl: undefined,
      impCode: "imp12345678",
      sandboxMode: true,
      iamportApiUrl: undefined,
      allowedOrigins: [],
      cancelForged: true,
      prepare: false,
    });
  });

  it("leaves sandbox mode when a key pair is given, and reads every variable", () => {
    const config = loadConfig({
      PORT: "0",
      DATABASE_URL: "postgres://u@db:5432/shop",
      IMP_CODE: "imp87654321",
      IMP_KEY: "key",
      IMP_SECRET: "secret",
      IAMPORT_API_URL: "https://iamport.example/",
      CATALOG: "./catalog.json",
      ALLOWED_ORIGINS: "https://shop.example.com, https://m.shop.example.com/",
      CANCEL_FORGED: "false",
      PREPARE: "true",
    });
    expect(config).toMatchObject({
      port: 0,
      sandboxMode: false,
      impKey: "key",
      iamportApiUrl: "https://iamport.example",
      allowedOrigins: ["https://shop.example.com", "https://m.shop.example.com"],
      cancelForged: false,
      prepare: true,
    });
  });

  it.each(["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]"])(
    "runs sandbox mode on the loopback address %s",
    (HOST) => {
      expect(loadConfig({ HOST }).sandboxMode).toBe(true);
    },
  );

  it.each(["0.0.0.0", "::", "192.168.0.5", "shop.example.com"])(
    "stops with one line when sandbox mode would listen on %s",
    (HOST) => {
      expect(() => loadConfig({ HOST })).toThrowError(
        /^Invalid configuration: HOST: sandbox mode \(no IMP_KEY\/IMP_SECRET\) listens only on a loopback address; set SANDBOX=true[^\n]*$/,
      );
    },
  );

  it("runs sandbox mode on another address when SANDBOX=true", () => {
    expect(loadConfig({ HOST: "0.0.0.0", SANDBOX: "true" })).toMatchObject({
      host: "0.0.0.0",
      sandboxMode: true,
    });
  });

  it("never runs the sandbox beside keys, even when SANDBOX=true", () => {
    const keyed = {
      IMP_KEY: "k",
      IMP_SECRET: "s",
      IMP_CODE: "imp00000001",
      DATABASE_URL: "memory://",
    };
    expect(loadConfig({ ...keyed, HOST: "0.0.0.0" }).sandboxMode).toBe(false);
    expect(() => loadConfig({ ...keyed, SANDBOX: "true" })).toThrowError(
      /^Invalid configuration: SANDBOX: sandbox mode cannot run with IMP_KEY\/IMP_SECRET set$/,
    );
  });

  it.each(["memory://", "./data/pglite", "postgres://u@db:5432/shop"])(
    "accepts any explicit DATABASE_URL with keys, %s included",
    (url) => {
      const config = loadConfig({
        DATABASE_URL: url,
        IMP_CODE: "imp00000001",
        IMP_KEY: "key",
        IMP_SECRET: "secret",
      });
      expect(config).toMatchObject({ databaseUrl: url, sandboxMode: false, checkKeys: true });
    },
  );

  it("reads the operational variables", () => {
    expect(
      loadConfig({
        LOG_LEVEL: "warn",
        METRICS: "true",
        METRICS_PORT: "9100",
        IAMPORT_CHECK_KEYS: "false",
        REQUEST_TIMEOUT_MS: "5000",
      }),
    ).toMatchObject({
      logLevel: "warn",
      metrics: true,
      metricsPort: 9100,
      checkKeys: false,
      requestTimeoutMs: 5000,
    });
    expect(loadConfig({})).toMatchObject({
      logLevel: "info",
      metrics: false,
      metricsPort: undefined,
      checkKeys: true,
      requestTimeoutMs: 30_000,
    });
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", IMP_KEY: "", IMP_SECRET: "" }).sandboxMode).toBe(true);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ IMP_CODE: "imp123" }, "IMP_CODE"],
    [{ IMP_KEY: "key" }, "IMP_SECRET"],
    [{ IMP_SECRET: "secret" }, "IMP_KEY"],
    [{ IAMPORT_API_URL: "ftp://x" }, "IAMPORT_API_URL"],
    [{ ALLOWED_ORIGINS: "shop.example.com" }, "ALLOWED_ORIGINS"],
    [{ CANCEL_FORGED: "maybe" }, "CANCEL_FORGED"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ IMP_CODE: "imp00000001", IMP_KEY: "key", IMP_SECRET: "secret" }, "DATABASE_URL"],
    [{ DATABASE_URL: "memory://", IMP_KEY: "key", IMP_SECRET: "secret" }, "IMP_CODE"],
    [{ METRICS_PORT: "9100" }, "METRICS_PORT"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL"],
    [{ IAMPORT_CHECK_KEYS: "perhaps" }, "IAMPORT_CHECK_KEYS"],
    [{ REQUEST_TIMEOUT_MS: "-1" }, "REQUEST_TIMEOUT_MS"],
  ])("refuses %o with one line naming %s", (env, name) => {
    expect(() => loadConfig(env)).toThrowError(
      new RegExp(`^Invalid configuration: .*${name}: [^\\n]+$`),
    );
  });

  it("names every bad variable at once and never echoes a value", () => {
    let message = "";
    try {
      loadConfig({ PORT: "x", IMP_SECRET: "hunter2-secret", IMP_CODE: "nope" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("PORT");
    expect(message).toContain("IMP_CODE");
    expect(message).toContain("IMP_KEY");
    expect(message).not.toContain("hunter2-secret");
    expect(message).not.toContain("\n");
  });

  it("accepts test payments in sandbox mode, and with keys only when ACCEPT_TEST_PAYMENTS", () => {
    const keys = {
      IMP_KEY: "key",
      IMP_SECRET: "secret",
      IMP_CODE: "imp00000001",
      DATABASE_URL: "memory://",
    };
    expect(loadConfig({}).acceptTestPayments).toBe(true);
    expect(loadConfig(keys).acceptTestPayments).toBe(false);
    expect(loadConfig({ ...keys, ACCEPT_TEST_PAYMENTS: "true" }).acceptTestPayments).toBe(true);
  });

  it("reads ALLOWED_PG as providers with an optional contract, and refuses anything else", () => {
    expect(loadConfig({ ALLOWED_PG: "html5_inicis.MOI1234567, kcp" }).allowedPg).toEqual([
      { provider: "html5_inicis", mid: "MOI1234567" },
      { provider: "kcp" },
    ]);
    expect(loadConfig({}).allowedPg).toEqual([]);
    expect(() => loadConfig({ ALLOWED_PG: "kcp, not a pg" })).toThrow(/ALLOWED_PG/);
  });

  it("caps the reconcile backoff at an hour unless RECONCILE_MAX_BACKOFF_MS says otherwise", () => {
    expect(loadConfig({}).reconcileMaxBackoffMs).toBe(3_600_000);
    expect(loadConfig({ RECONCILE_MAX_BACKOFF_MS: "600000" }).reconcileMaxBackoffMs).toBe(600_000);
  });

  it("has every variable it reads listed in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const listed = new Set([...example.matchAll(/^# ([A-Z_]+)=/gm)].map((m) => m[1]));
    expect(configVariables.filter((name) => !listed.has(name))).toEqual([]);
  });
});
