// web-test-runner's WebDriver launcher with the driver's lifetime attached: WebKitWebDriver is
// started for the run (scripts/engines.mjs) and stopped with it, so nothing has to be running
// beforehand and nothing outlives the run.
import { WebdriverLauncher } from "@web/test-runner-webdriver";
import { startWebKitDriver, webkitCapabilities } from "./engines.mjs";

class WebKitLauncher extends WebdriverLauncher {
  /** @type {Awaited<ReturnType<typeof startWebKitDriver>> | undefined} */
  driverProcess;

  constructor() {
    super({
      hostname: "127.0.0.1",
      port: 0,
      logLevel: "error",
      // WebDriver classic: WebKitWebDriver's BiDi is not what we test through.
      capabilities: { ...webkitCapabilities(), "wdio:enforceWebDriverClassic": true },
    });
  }

  async initialize(config, testFiles) {
    this.driverProcess = await startWebKitDriver();
    this.options.port = this.driverProcess.port;
    await super.initialize(config, testFiles);
    this.name = "WebKit";
  }

  async stop() {
    await super.stop();
    await this.driverProcess?.stop();
    this.driverProcess = undefined;
  }
}

export function webkitLauncher() {
  return new WebKitLauncher();
}
