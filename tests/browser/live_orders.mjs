// Two headless Chromium pages on Syncline's /demo: an order placed in one appears, live, in the
// other, and a status change made in one shows up in the other.
//
// Usage: node tests/browser/live_orders.mjs BASE_URL ADMIN_TOKEN SCREENSHOT [TIMEOUT_MS]
// Prints one JSON summary line; exit 0 when every check passed, 1 otherwise.
import { chromium } from "playwright-core";

const [base, adminToken, screenshot, timeoutText = "30000"] = process.argv.slice(2);
const timeout = Number(timeoutText);
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const problems = [];

async function page(context, name) {
  const tab = await context.newPage();
  tab.on("pageerror", (error) => problems.push(`${name}: ${error.message}`));
  tab.on("console", (message) => {
    if (message.type() === "error") problems.push(`${name} console: ${message.text()}`);
  });
  await tab.goto(`${base}/demo`);
  await tab.waitForSelector('body[data-subscribed="true"]', { timeout });
  return tab;
}

async function subscriptions() {
  const response = await fetch(`${base}/health`);
  return (await response.json()).subscriptions.subscriptions;
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS });
const summary = { ok: false };
try {
  const context = await browser.newContext();
  const watcher = await page(context, "watcher");
  const placer = await page(context, "placer");
  const deadline = Date.now() + timeout;
  while ((await subscriptions()) < 2) {
    if (Date.now() > deadline) throw new Error("the pages' subscriptions did not register");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await placer.fill('input[name="customerId"]', "browser-1");
  await placer.click('button[type="submit"]');
  await placer.waitForSelector('#place-result:has-text("placed order")', { timeout });
  const row = watcher.locator("#orders tr", { hasText: "browser-1" });
  await row.waitFor({ timeout });
  summary.statusSeen = (await row.locator(".status").textContent()).trim();
  await placer.click("summary");
  await placer.fill("#admin-token", adminToken);
  await placer.locator("#orders tr", { hasText: "browser-1" }).getByText("Fulfil").click();
  await watcher.locator("#orders tr", { hasText: "browser-1" }).locator(".status", { hasText: "FULFILLED" }).waitFor({ timeout });
  summary.statusAfter = "FULFILLED";
  await watcher.screenshot({ path: screenshot, fullPage: true });
  summary.problems = problems;
  summary.ok = problems.length === 0;
} catch (error) {
  summary.error = String(error);
  summary.problems = problems;
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
process.exit(summary.ok ? 0 : 1);
