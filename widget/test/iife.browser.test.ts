// A plain page: no module graph, only the built classic script, as a merchant embeds it.
import { expect } from "@open-wc/testing";

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}; run the widget's build first`));
    document.head.append(script);
  });
}

const iife = "/widget/dist/iamport-pay-button.iife.js";

describe("the IIFE build on a plain page", () => {
  it("registers <iamport-pay-button>, which renders its button", async () => {
    expect(customElements.get("iamport-pay-button")).to.equal(undefined);

    await loadScript(iife);

    expect(customElements.get("iamport-pay-button")).to.be.a("function");
    const el = document.createElement("iamport-pay-button");
    el.setAttribute("server", "/x");
    document.body.append(el);
    await el.updateComplete;
    expect(el.shadowRoot?.querySelector('button[part="button"]')?.textContent?.trim()).to.equal(
      "결제하기",
    );
    el.remove();
  });

  it("loading it a second time (or the ES module too) is harmless", async () => {
    const errors: string[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.message);
    window.addEventListener("error", onError);

    await loadScript(`${iife}?again`);
    await import("/widget/dist/iamport-pay-button.js" as string);

    window.removeEventListener("error", onError);
    expect(errors).to.deep.equal([]);
  });
});
