// The build shortens the property names in scripts/own-properties.ts everywhere in the bundle,
// Lit's code included: a name that is also a member of a browser object would break that object's
// use. The browser itself says which names it has.
import { expect } from "@open-wc/testing";
import { ownProperties } from "../scripts/own-properties.js";

const platform: unknown[] = [
  window,
  document,
  navigator,
  location,
  history,
  sessionStorage,
  document.createElement("button"),
  document.createElement("script"),
  document.createElement("template"),
  document.createElement("slot"),
  document.createElement("div").attachShadow({ mode: "open" }),
  document.createComment(""),
  document.createTextNode(""),
  document.createTreeWalker(document),
  new Event("x"),
  new CustomEvent("x"),
  new AbortController(),
  AbortSignal.abort(),
  new URL("https://x.example/"),
  new URLSearchParams(),
  new Response(),
  new Request("https://x.example/"),
  new Headers(),
  new CSSStyleSheet(),
  new IntersectionObserver(() => {}),
  new MutationObserver(() => {}),
  new Error("x"),
  Promise.resolve(),
  new Map(),
  new Set(),
  new WeakMap(),
  [],
  "",
  0,
  Symbol("x"),
  {},
  Object,
  Array,
  JSON,
  Date,
  Intl.DateTimeFormat.prototype,
];

describe("the property names the build shortens", () => {
  it("are no browser object's members", () => {
    const clashes = ownProperties.filter((name) => platform.some((thing) => name in Object(thing)));
    expect(clashes).to.deep.equal([]);
  });
});
