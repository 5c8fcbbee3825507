// The sandbox console: lists orders with their verify history, and drives the sandbox's control
// API (deposit, refund) so the webhook path is exercised exactly as with Iamport's console.
const won = new Intl.NumberFormat("ko-KR");
const status = document.getElementById("status");

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

async function control(path, body) {
  const response = await fetch(`/sandbox/control/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  status.textContent = response.ok
    ? "Done: the sandbox sent its webhook."
    : `Failed (${response.status})`;
  setTimeout(load, 300);
}

function actionButton(label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", onClick);
  return button;
}

async function load() {
  const response = await fetch("/sandbox-console/orders.json");
  const orders = await response.json();
  const body = document.querySelector("#orders tbody");
  body.replaceChildren();
  for (const { order, events } of orders) {
    const row = body.insertRow();
    cell(row, order.merchant_uid).className = "mono";
    cell(row, order.name);
    cell(row, `${won.format(order.amount)} ${order.currency}`);
    cell(
      row,
      order.cancel_amount
        ? `${order.status} (refunded ${won.format(order.cancel_amount)})`
        : order.status,
    );
    cell(row, order.imp_uid ? `${order.imp_uid} · ${order.pay_method ?? ""}` : "—");
    const history = cell(row, "");
    const list = document.createElement("ol");
    for (const event of events) {
      const item = document.createElement("li");
      item.textContent = `${event.created_at.slice(11, 19)} ${event.source}: Iamport said ${event.iamport_status ?? "?"} → ${event.decision}`;
      list.append(item);
    }
    history.append(list);
    const actions = cell(row, "");
    if (order.imp_uid && order.status === "ready") {
      actions.append(actionButton("Deposit", () => control(`payments/${order.imp_uid}/deposit`)));
    }
    if (order.imp_uid && order.status === "paid") {
      actions.append(
        actionButton("Cancel", () => control(`payments/${order.imp_uid}/cancel`)),
        " ",
        actionButton("Refund 1,000", () =>
          control(`payments/${order.imp_uid}/cancel`, { amount: 1000 }),
        ),
      );
    }
  }
  if (orders.length === 0) status.textContent = "No orders yet: pay something in the shop.";
}

document.getElementById("refresh").addEventListener("click", load);
load().catch((error) => {
  status.textContent = String(error);
});
