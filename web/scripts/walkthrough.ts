// A walk through every flow of the rep app, the customer portal and the group workbench
// against a running `npm start` (http://127.0.0.1:8787 by default, with its demo data), in
// Debian's Chromium, writing a screenshot of each screen in English and in Chinese into
// web/docs/. `npx tsx web/scripts/walkthrough.ts [url] [--portal-only]`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { demoPortal } from "../../scripts/demo-data.ts";
import {
  confirmPayment,
  createCustomer,
  draftContract,
  drawSignature,
  settled,
} from "../../test/web/flows.ts";
import { CHROME_ARGS, CHROME_PATH, logInAsRep, openApp } from "../../test/web/harness.ts";
import {
  answerChangeRequest,
  askQuery,
  changeRequestCard,
  completeCheck,
  fileChangeRequest,
  openGroupChangeRequest,
  openPortal,
  openWorkbench,
  portalLogin,
  respondToAnswer,
} from "../../test/web/portal-flows.ts";

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const URL = positional[0] ?? "http://127.0.0.1:8787/";
const PORTAL_ONLY = process.argv.includes("--portal-only");
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

async function repApp(): Promise<void> {
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
  await page
    .locator('[data-testid="insight"][data-source="on-device"]')
    .waitFor({ timeout: 60_000 });
  await shot(page, "08-insights-on-device-en");
  await ctx.setOffline(false);

  // The same screens in Chinese, switched in the app.
  await page.getByRole("button", { name: /中文/ }).click();
  await page.getByRole("link", { name: "客户", exact: true }).click();
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
}

/** A calendar date `days` after today (UTC), as a date input takes it. */
const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The rep app's group screens, in Chinese, by what the form is rather than its English labels. */
async function checkAllZh(p: Page): Promise<void> {
  for (const [department, status] of [
    ["rnd", "ok"],
    ["supply-chain", "impact"],
    ["quality", "ok"],
  ] as const) {
    const form = p.locator(`form[data-department="${department}"]`);
    await form.locator('select[name="status"]').selectOption(status);
    await form.locator('button[type="submit"]').click();
    await form.getByText("已保存", { exact: true }).waitFor();
  }
}

/**
 * The customer portal (the demo hospital's buyer) beside the group workbench (the demo rep,
 * the group's sales manager): a question, a change request on its SLA clock, the group's
 * checks and answer, and the customer's acceptance; in English, then in Chinese.
 */
async function portalAndWorkbench(buyerCtx: BrowserContext): Promise<void> {
  const buyer = await buyerCtx.newPage();
  const { email, password } = demoPortal();
  const dateEn = `请把第二批推迟 ${run}`;
  const contactZh = `联系人改为王工 ${run}`;

  await openPortal(buyer, URL);
  await buyer.getByRole("heading", { name: "Sign in" }).waitFor();
  await shot(buyer, "21-portal-login-en");
  await portalLogin(buyer, email, password);
  await askQuery(buyer, "show unpaid invoices");
  await shot(buyer, "22-portal-query-en");
  await fileChangeRequest(buyer, {
    contractTitle: "超声诊断系统 ×3",
    kind: "delivery-date",
    delivery: "第二批（1台） · 上海仓",
    newDate: inDays(30),
    summary: dateEn,
  });
  await changeRequestCard(buyer, dateEn).getByTestId("sla-countdown").waitFor();
  await shot(buyer, "23-portal-order-en");
  await fileChangeRequest(buyer, {
    contractTitle: "超声诊断系统 ×3",
    kind: "contact",
    value: "王工",
    summary: contactZh,
  });
  await buyer.getByRole("link", { name: "Change requests", exact: true }).click();
  await changeRequestCard(buyer, contactZh).getByTestId("sla-countdown").waitFor();
  await shot(buyer, "24-portal-change-requests-en");

  if (PORTAL_ONLY) {
    await openApp(page, URL);
    await logInAsRep(page);
  }
  await page.getByRole("link", { name: "Group", exact: true }).waitFor();
  await openWorkbench(page);
  await page.getByTestId("change-request-row").filter({ hasText: dateEn }).waitFor();
  // The health index opened to show how it is made.
  await page.locator("details.chi summary").first().click();
  await shot(page, "25-workbench-en");
  await openGroupChangeRequest(page, dateEn);
  await completeCheck(page, "R&D", "ok");
  await completeCheck(page, "Supply chain", "impact", "上海仓库存需调拨");
  await completeCheck(page, "Quality", "ok");
  await page.getByRole("radio", { name: "Yes, feasible" }).check();
  await page.getByLabel("New committed date (optional)").fill(inDays(40));
  await page.getByLabel("Message to the customer").fill("可以，第二批改期交付。");
  await shot(page, "26-change-request-answering-en");
  await answerChangeRequest(page, {
    feasible: true,
    newDate: inDays(40),
    message: "可以，第二批改期交付。",
  });
  await buyer.reload();
  await changeRequestCard(buyer, dateEn)
    .getByRole("button", { name: "Accept the answer" })
    .waitFor();
  await shot(buyer, "27-portal-answer-en");
  await respondToAnswer(buyer, dateEn, "accept");

  // The same screens in Chinese, switched in each app.
  await buyer.getByRole("button", { name: /中文/ }).click();
  await buyer.getByRole("button", { name: "退出登录" }).click();
  await buyer.getByRole("heading", { name: "登录" }).waitFor();
  await shot(buyer, "31-portal-login-zh");
  await buyer.locator('input[name="email"]').fill(email);
  await buyer.locator('input[name="password"]').fill(password);
  await buyer.getByRole("button", { name: "登录" }).click();
  // Signed in again where they left (the change requests): back to the orders.
  await buyer.getByRole("link", { name: "我的订单", exact: true }).click();
  await buyer.getByTestId("orders").waitFor();
  await buyer.getByLabel("查询您的订单").fill("帮我查所有发往深圳仓的发货");
  await buyer.getByRole("button", { name: "查询", exact: true }).click();
  await buyer.getByTestId("query-results").waitFor();
  await shot(buyer, "32-portal-query-zh");
  await buyer
    .getByTestId("orders")
    .getByRole("link", { name: /超声诊断系统/ })
    .click();
  await buyer.getByTestId("deliveries").waitFor();
  await shot(buyer, "33-portal-order-zh");
  await buyer.getByRole("link", { name: "变更申请", exact: true }).click();
  await changeRequestCard(buyer, contactZh).getByTestId("sla-countdown").waitFor();
  await shot(buyer, "34-portal-change-requests-zh");

  await page.getByRole("button", { name: /中文/ }).click();
  await page.getByRole("link", { name: "客户成功组", exact: true }).click();
  await page.getByTestId("change-request-row").filter({ hasText: contactZh }).waitFor();
  await page.locator("details.chi summary").first().click();
  await shot(page, "35-workbench-zh");
  await page.getByTestId("open-change-requests").getByRole("link", { name: contactZh }).click();
  await page.getByRole("heading", { name: "影响评估" }).waitFor();
  await checkAllZh(page);
  await page.locator('input[name="feasible"][value="yes"]').check();
  await page.locator('textarea[name="message"]').fill("可以，联系人已更新为王工。");
  await shot(page, "36-change-request-answering-zh");
  await page.getByRole("button", { name: "发送答复" }).click();
  await page.getByTestId("answer").waitFor();
  await buyer.reload();
  await changeRequestCard(buyer, contactZh).getByRole("button", { name: "接受答复" }).waitFor();
  await shot(buyer, "37-portal-answer-zh");
  await page.getByRole("button", { name: /English/ }).click();
  await buyer.getByRole("button", { name: /English/ }).click();
}

if (!PORTAL_ONLY) await repApp();
await portalAndWorkbench(
  await browser.newContext({ locale: "en", viewport: { width: 420, height: 900 } }),
);
await browser.close();
process.stdout.write(`screenshots in ${DOCS}\n`);
