// The demo shop's own script: a product list, a cart, and an event log. Everything payment
// related is the widget's job; this page only hands it the cart, as a merchant's page would.
const won = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
const button = document.getElementById("pay");
const cart = new Map(); // sku → quantity
let products = [];

function render() {
  const body = document.querySelector("#cart tbody");
  body.replaceChildren();
  let total = 0;
  for (const [sku, quantity] of cart) {
    const product = products.find((p) => p.sku === sku);
    if (!product) continue;
    total += product.amount * quantity;
    const row = document.createElement("tr");
    row.innerHTML = "<td></td><td></td><td></td><td><button type=button>Remove</button></td>";
    row.cells[0].textContent = product.name;
    row.cells[1].textContent = String(quantity);
    row.cells[2].textContent = won.format(product.amount * quantity);
    row.querySelector("button").addEventListener("click", () => {
      cart.delete(sku);
      render();
      newPurchase();
    });
    row.querySelector("button").setAttribute("aria-label", `Remove ${product.name}`);
    body.append(row);
  }
  document.getElementById("total").textContent = won.format(total);
  button.items = [...cart].map(([sku, quantity]) => ({ sku, quantity }));
  button.disabled = cart.size === 0;
}

// A paid button stays done until the page says otherwise: the shopper changing the cart starts a
// new purchase. (Not on page load: a mobile return may be showing its result.)
function newPurchase() {
  button.reset();
}

function add(sku) {
  cart.set(sku, (cart.get(sku) ?? 0) + 1);
  render();
}

async function loadProducts() {
  const response = await fetch("/demo/catalog.json");
  products = await response.json();
  const list = document.getElementById("products");
  for (const product of products) {
    const item = document.createElement("li");
    item.innerHTML =
      "<span class=name></span> <span class=price></span> <button type=button></button>";
    item.querySelector(".name").textContent = product.name;
    item.querySelector(".price").textContent = won.format(product.amount);
    const addButton = item.querySelector("button");
    addButton.textContent = `Add ${product.name}`;
    addButton.addEventListener("click", () => {
      add(product.sku);
      newPurchase();
    });
    list.append(item);
  }
  // Start with one item so the button is usable at once.
  if (products[0]) add(products[0].sku);
}

for (const input of document.querySelectorAll("input[name=pay-method]")) {
  input.addEventListener("change", () => button.setAttribute("pay-method", input.value));
}
for (const input of document.querySelectorAll("input[name=redirect]")) {
  input.addEventListener("change", () => button.setAttribute("redirect", input.value));
}
for (const [id, attribute] of [
  ["buyer-name", "buyer-name"],
  ["buyer-email", "buyer-email"],
]) {
  document.getElementById(id).addEventListener("input", (event) => {
    button.setAttribute(attribute, event.target.value);
  });
}

const log = document.getElementById("events");
for (const type of [
  "iamport-pay-start",
  "iamport-pay-success",
  "iamport-pay-vbank-issued",
  "iamport-pay-failure",
]) {
  document.addEventListener(type, (event) => {
    const entry = document.createElement("li");
    entry.dataset.type = type;
    const title = document.createElement("strong");
    title.textContent = type;
    const detail = document.createElement("pre");
    detail.textContent = JSON.stringify(event.detail, null, 2);
    entry.append(title, detail);
    log.prepend(entry);
  });
}

// A virtual account is paid later, by a deposit: this page polls the order (with backoff) until
// the server, told by Iamport's webhook, says it is paid. The widget does not poll, so a merchant
// chooses where to wait (this page, an email, the order history).
const deposit = document.createElement("p");
deposit.setAttribute("role", "status");
button.after(deposit);
document.addEventListener("iamport-pay-vbank-issued", async (event) => {
  const { merchant_uid: merchantUid, vbank } = event.detail;
  deposit.textContent = `${vbank.bank_name ?? ""} ${vbank.number} 계좌로 입금을 기다리고 있습니다.`;
  for (let delay = 500; delay < 10 * 60_000; delay = Math.min(delay * 2, 30_000)) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    const response = await fetch(`/orders/${encodeURIComponent(merchantUid)}`).catch(() => null);
    if (!response?.ok) continue;
    const order = await response.json();
    if (order.status === "paid") {
      deposit.textContent = "입금이 확인되었습니다. 결제가 완료되었습니다.";
      return;
    }
    if (order.status !== "ready") return;
  }
});

loadProducts().catch((error) => {
  log.prepend(Object.assign(document.createElement("li"), { textContent: String(error) }));
});
