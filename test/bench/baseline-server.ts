/**
 * The anchor: a verify server written the way the Iamport V1 guide writes one (Express 4, axios,
 * `express.json()`, orders in memory), as its own process against the same sandbox. Its figures
 * are what our server is compared with: it keeps no database and asks Iamport for a new token on
 * every verification, so the two Iamport calls per request are its whole cost.
 * https://developers.portone.io/docs/ko/auth/guide/5/post
 *
 * - `POST /orders` prices the cart from the same catalog into a `Map` (as ours answers: 201
 *   `{ merchant_uid, amount }`);
 * - `POST /payments/complete` and `POST /iamport-webhook` each `POST /users/getToken`, then
 *   `GET /payments/{imp_uid}` with the bare token in `Authorization`, read the order by the
 *   payment's `merchant_uid`, compare the amount, store the payment in the `Map` and answer
 *   `{ status: "success" | "vbankIssued" }`, or 400 `{ status: "forgery" }`.
 */
import { demoCatalog } from "@iamport-pay/server";
import axios from "axios";
import express from "express";

const port = Number(process.env.PORT ?? 0);
const api = process.env.IAMPORT_API_URL;
const imp_key = process.env.IMP_KEY;
const imp_secret = process.env.IMP_SECRET;
if (!api || !imp_key || !imp_secret) {
  console.error("baseline-server: set IAMPORT_API_URL, IMP_KEY and IMP_SECRET");
  process.exit(1);
}

interface Order {
  merchant_uid: string;
  amount: number;
  payment?: unknown;
}
const orders = new Map<string, Order>();
const prices = new Map(demoCatalog.map((product) => [product.sku, product.amount]));
let sequence = 0;

const app = express();
app.use(express.json());

app.get("/healthz", (_req, res) => {
  res.send({ status: "ok" });
});

app.post("/orders", (req, res) => {
  const items = (req.body?.items ?? []) as { sku: string; quantity: number }[];
  let amount = 0;
  for (const item of items) {
    const price = prices.get(item.sku);
    if (price === undefined) {
      res.status(400).send({ status: "error", message: "unknown sku" });
      return;
    }
    amount += price * item.quantity;
  }
  sequence += 1;
  const merchant_uid = `guide_${process.pid}_${Date.now()}_${sequence}`;
  orders.set(merchant_uid, { merchant_uid, amount });
  res.status(201).send({ merchant_uid, amount });
});

async function verify(req: express.Request, res: express.Response) {
  try {
    const { imp_uid } = req.body;
    const getToken = await axios({
      url: `${api}/users/getToken`,
      method: "post",
      headers: { "Content-Type": "application/json" },
      data: { imp_key, imp_secret },
    });
    const { access_token } = getToken.data.response;
    const getPaymentData = await axios({
      url: `${api}/payments/${imp_uid}`,
      method: "get",
      headers: { Authorization: access_token },
    });
    const paymentData = getPaymentData.data.response;
    const order = orders.get(paymentData.merchant_uid);
    if (order === undefined) throw { status: "forgery", message: "위조된 결제시도" };
    const { amount, status } = paymentData;
    if (amount === order.amount) {
      order.payment = paymentData;
      switch (status) {
        case "ready":
          res.send({ status: "vbankIssued", message: "가상계좌 발급 성공" });
          break;
        case "paid":
          res.send({ status: "success", message: "일반 결제 성공" });
          break;
        default:
          res.send({ status, message: "결제 상태" });
      }
    } else {
      throw { status: "forgery", message: "위조된 결제시도" };
    }
  } catch (e) {
    res.status(400).send(axios.isAxiosError(e) ? { status: "error", message: e.message } : e);
  }
}

app.post("/payments/complete", verify);
app.post("/iamport-webhook", verify);

const server = app.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
