/** The browser tests' helpers (fake.ts), with the element defined from src/. */
import "../src/iamport-pay-button.js";

export * from "./fake.js";
