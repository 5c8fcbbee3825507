// What a merchant writes: one import, no decorator or TypeScript settings.
import { IamportPayButton } from "@iamport-pay/widget";

window.payButtonDefined = customElements.get("iamport-pay-button") === IamportPayButton;
