import { css } from "lit";

// Written compact on purpose: it ships as is (the build drops only the line breaks), inside the
// size budget of scripts/size.mjs.
// Kept in the layout while empty ([part=status]:empty): a live region must exist before it speaks.
export const styles = css`
:host{display:inline-block;font-family:var(--iamport-pay-font,inherit)}
:host([hidden]){display:none}
button{font:inherit;font-size:var(--iamport-pay-font-size,1rem);font-weight:600;min-height:44px;
padding:var(--iamport-pay-padding,.75em 1.5em);color:var(--iamport-pay-text-color,#fff);
background:var(--iamport-pay-color,#1e5eff);border:0;border-radius:var(--iamport-pay-radius,8px);cursor:pointer}
button:focus-visible{outline:2px solid var(--iamport-pay-focus-color,var(--iamport-pay-color,#1e5eff));outline-offset:2px}
button:disabled,[aria-disabled=true]{opacity:.6;cursor:not-allowed}
:host([state=busy]) button{cursor:progress}
[part=status]{margin-top:.5em;font-size:.875em;outline:0}
[part=status]:empty{margin:0}
:host([state=failure]) [part=status]{color:var(--iamport-pay-error-color,#c62828)}
`;
