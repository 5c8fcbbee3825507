// A minimal W3C WebDriver (classic) client over fetch: just the commands the journeys use, so
// WebKit is driven the way Safari is (safaridriver speaks the same protocol).
export const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";
export type ElementRef = { [ELEMENT_KEY]: string };

export function isElementRef(value: unknown): value is ElementRef {
  return typeof value === "object" && value !== null && ELEMENT_KEY in value;
}

export class WebDriverSession {
  private constructor(
    private readonly base: string,
    readonly id: string,
  ) {}

  static async create(
    driverUrl: string,
    capabilities: Record<string, unknown>,
  ): Promise<WebDriverSession> {
    const value = await send<{ sessionId: string }>(`${driverUrl}/session`, "POST", {
      capabilities: { alwaysMatch: capabilities },
    });
    return new WebDriverSession(`${driverUrl}/session/${value.sessionId}`, value.sessionId);
  }

  command<T = unknown>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown) {
    return send<T>(`${this.base}${path}`, method, body);
  }

  navigate(url: string) {
    return this.command("POST", "/url", { url });
  }
  url() {
    return this.command<string>("GET", "/url");
  }
  refresh() {
    return this.command("POST", "/refresh", {});
  }
  /** Runs `script` as a function body; `arguments[0]`… are `args`. */
  execute<T = unknown>(script: string, args: unknown[] = []) {
    return this.command<T>("POST", "/execute/sync", { script, args });
  }
  /** Into a frame (an iframe element of the current one), or back to the top with null. */
  switchToFrame(frame: ElementRef | null) {
    return this.command("POST", "/frame", { id: frame });
  }
  click(element: ElementRef) {
    return this.command("POST", `/element/${element[ELEMENT_KEY]}/click`, {});
  }
  /** A real (trusted) double click on the element's centre. */
  async doubleClick(element: ElementRef) {
    const press = [
      { type: "pointerDown", button: 0 },
      { type: "pointerUp", button: 0 },
    ];
    await this.command("POST", "/actions", {
      actions: [
        {
          type: "pointer",
          id: "mouse",
          parameters: { pointerType: "mouse" },
          actions: [{ type: "pointerMove", origin: element, x: 0, y: 0 }, ...press, ...press],
        },
      ],
    });
    await this.command("DELETE", "/actions");
  }
  /** Types `text` with real key presses into whatever has focus. */
  async type(text: string) {
    const keys = [...text].flatMap((value) => [
      { type: "keyDown", value },
      { type: "keyUp", value },
    ]);
    await this.command("POST", "/actions", {
      actions: [{ type: "key", id: "keyboard", actions: keys }],
    });
    await this.command("DELETE", "/actions");
  }
  setWindowRect(rect: { width: number; height: number }) {
    return this.command("POST", "/window/rect", rect);
  }
  async screenshot(): Promise<Buffer> {
    return Buffer.from(await this.command<string>("GET", "/screenshot"), "base64");
  }
  async delete(): Promise<void> {
    await this.command("DELETE", "");
  }
}

async function send<T>(url: string, method: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as { value: T & { error?: string; message?: string } };
  if (!response.ok) {
    const { error, message } = json.value ?? {};
    throw new Error(`WebDriver ${method} ${new URL(url).pathname}: ${error}: ${message}`);
  }
  return json.value;
}
