// A walk through every flow of the rep app against a running `npm start`
// (http://127.0.0.1:8787 by default), in Debian's Chromium, writing a screenshot of each
// screen in English and in Chinese into web/docs/. `npx tsx web/scripts/walkthrough.ts`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import {
  confirmPayment,
  createCustomer,
  draftContract,
  drawSignature,
  settled,
} from "../../test/web/flows.ts";
import { CHROME_ARGS, CHROME_PATH, logInAsRep, openApp } from "../../test/web/harness.ts";

const URL = process.argv[2] ?? "http://127.0.0.1:8787/";
const DOCS = join(import.meta.dirname, "..", "docs");
const PHOTO = join(import.meta.dirname, "..", "public", "icons", "icon-512.png");
mkdirSync(DOCS, { recursive: true });

const browser = await chromium.launch({ executablePath: CHROME_PATH, args: CHROME_ARGS });
const ctx = await browser.newContext({ locale: "en", viewport: { width: 420, height: 900 } });
const page = await ctx.newPage();
const shot = async (p: Page, name: string) => {
  await p.waitForTimeout(300);
  await p.screenshot({ path: join(DOCS, `${name}.png`), fullPage: true });
  process.stdout.write(`  ${name}.png\n`);
};
const run = Date.now().toString(36).toUpperCase().slice(-5);

await openApp(page, URL);
await shot(page, "01-login-en");
await logInAsRep(page);
await ctx.setOffline(true);
await createCustomer(page, `上海示例医疗器械有限公司 ${run}`, {
  name: "王医生",
  phone: "+86 138 0013 8000",
});
await draftContract(page, "Ultrasound X200", "1280000");
await page.getByRole("button", { name: "Send to customer" }).click();
await page.locator('input[name="signer"]').fill("张三");
await drawSignature(page);
await shot(page, "02-signature-pad-offline-en");
await page.getByRole("button", { name: "Save customer signature" }).click();
await page.getByRole("button", { name: "Countersign for the vendor" }).click();
await confirmPayment(page, `ICBC-${run}-0001`, "500000", PHOTO);
await shot(page, "03-contract-pending-offline-en");
await page.getByRole("link", { name: /Outbox/ }).click();
await shot(page, "04-outbox-offline-en");
await ctx.setOffline(false);
await settled(page, 6);
await shot(page, "05-outbox-confirmed-en");
await page.getByRole("link", { name: "Customers", exact: true }).click();
await page.getByRole("link", { name: new RegExp(run) }).click();
await page.getByRole("link", { name: /Ultrasound X200/ }).click();
await page.locator("img.photo").nth(1).waitFor();
await shot(page, "06-contract-confirmed-en");
await page.getByRole("link", { name: "Call insights" }).click();
await page
  .locator('textarea[name="notes"]')
  .fill(
    "客户：价格比华康贵不少，售后响应也要快\n销售：我们可以提供分期和两小时响应\n客户：预算已经批了，但是要走招标流程",
  );
await page.getByRole("button", { name: "Analyse" }).click();
await page.locator('[data-testid="insight"]').waitFor();
await shot(page, "07-insights-en");
await ctx.setOffline(true);
await page.getByRole("button", { name: "Analyse" }).click();
await page.locator('[data-testid="insight"][data-source="on-device"]').waitFor({ timeout: 60_000 });
await shot(page, "08-insights-on-device-en");
await ctx.setOffline(false);

// The same screens in Chinese, switched in the app.
await page.getByRole("button", { name: /中文/ }).click();
await page.getByRole("link", { name: "客户" }).click();
await shot(page, "11-customers-zh");
await page.getByRole("link", { name: new RegExp(run) }).click();
await shot(page, "12-customer-zh");
await page.getByRole("link", { name: /Ultrasound X200/ }).click();
await page.locator("img.photo").nth(1).waitFor();
await shot(page, "13-contract-zh");
await page.getByRole("link", { name: "通话洞察" }).click();
await page.locator('textarea[name="notes"]').fill("客户：价格比华康贵不少，售后响应也要快");
await page.getByRole("button", { name: "分析" }).click();
await page.locator('[data-testid="insight"]').waitFor();
await shot(page, "14-insights-zh");
await page.getByRole("link", { name: /待发送/ }).click();
await shot(page, "15-outbox-zh");
await page.getByRole("button", { name: /English/ }).click();
await browser.close();
process.stdout.write(`screenshots in ${DOCS}\n`);
