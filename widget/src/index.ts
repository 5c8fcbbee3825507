export type {
  PayFailureCode,
  PayFailureDetail,
  PayStartDetail,
  PaySuccessDetail,
  PayVbankIssuedDetail,
} from "@iamport-pay/shared";
export {
  PayFailureEvent,
  PayStartEvent,
  PaySuccessEvent,
  PayVbankIssuedEvent,
} from "./events.js";
export { IamportPayButton, type PayState } from "./iamport-pay-button.js";
export type { PayResult } from "./pay-flow.js";
