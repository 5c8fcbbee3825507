// Stops the browser tests early, with one line, when there is no Chromium to run them in.
import { existsSync } from "node:fs";

const path = process.env.CHROME_PATH ?? "/usr/bin/chromium";
if (!existsSync(path)) {
  console.error(
    `No Chromium at ${path}: set CHROME_PATH to a Chrome/Chromium binary, or install Debian's: apt-get install -y chromium`,
  );
  process.exit(1);
}
