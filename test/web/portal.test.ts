// The customer portal and the group workbench in real Chromium against real regions (DESIGN
// §11, issue 11): the demo hospital's buyer signs in to /portal/, asks in English and in
// Chinese and sees the filter understood as chips over their own records only, files a
// delivery-date change request and watches its SLA countdown; the demo rep, their group's
// sales manager, finds it on the workbench's SLA list, completes the three departments'
// checks and answers it with a new committed date; the buyer sees that answer and accepts.
// Another customer of the same tenant, with a delivery to the same warehouse, is never shown.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { demoPortal, writeDemoData } from "../../scripts/demo-data.ts";
import { devCredentials } from "../../scripts/seed.ts";
import { logInAsRep, openApp, startWebStack, type WebStack } from "./harness.ts";
import {
  answerChangeRequest,
  askQuery,
  changeRequestCard,
  completeCheck,
  fileChangeRequest,
  openGroupChangeRequest,
  openPortal,
  openWorkbench,
  pickSuggestion,
  portalLogin,
  removeChip,
  respondToAnswer,
  slaCountdown,
} from "./portal-flows.ts";

const ARTIFACTS = join(import.meta.dirname, "..", "..", "web", "test-artifacts");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const KEY = devCredentials().apiKey;
const ORDER = "超声诊断系统 ×3";
const PROPOSAL = "三年维保服务";

/** expect.poll's default (1 s) is too short for a page booting on a loaded 2-core machine. */
const WAIT = { timeout: 10_000 };

let stack: WebStack;
let buyer: { context: BrowserContext; page: Page };
let rep: { context: BrowserContext; page: Page };
const run = Math.random().toString(36).slice(2, 8).toUpperCase();
const other = { name: `其他医院 ${run}`, order: `Other order ${run}`, lot: `Other lot ${run}` };
const summary = `请把第二批推迟 ${run}`;

/** A calendar date `days` after today (UTC), as a date input takes it. */
const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const requestedDate = inDays(30);
const committedDate = inDays(40);
const asShown = (date: string) =>
  new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(Date.parse(date));

let writes = 0;
async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(stack.topology.url("cn-east") + path, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      "content-type": "application/json",
      "idempotency-key": `portal-test-${run}-${writes++}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json ?? {};
}

/** A second customer of the tenant, signed, delivering to the demo customer's warehouse. */
async function anotherCustomer(): Promise<void> {
  const customer = await api("POST", "/v1/customers", {
    name: other.name,
    residency: "cn",
    tier: "strategic",
  });
  const contract = await api("POST", "/v1/contracts", {
    customerId: customer.id,
    title: other.order,
    amount: { value: 120_000_00, currency: "CNY" },
    documentHash: "7".repeat(64),
  });
  const id = String(contract.id);
  await api("POST", `/v1/contracts/${id}/send`, {});
  for (const party of ["customer", "vendor"])
    await api("POST", `/v1/contracts/${id}/signatures`, {
      party,
      signer: { name: party },
      documentHash: "7".repeat(64),
    });
  await api("PUT", `/v1/contracts/${id}/milestones/lot-1`, {
    name: other.lot,
    destination: "深圳仓",
    quantity: 1,
    plannedDate: inDays(10),
  });
}

async function axeCheck(page: Page, name: string) {
  await page.addScriptTag({ content: AXE });
  const result =
    (await page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`)) as Array<{
      id: string;
      impact: string;
      nodes: number;
    }>;
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad, `${name}: ${JSON.stringify(result)}`).toEqual([]);
}

/** What the page says holds no raw value and nothing of the other customer. */
async function assertClean(page: Page, where: string) {
  // Text nodes run together here, so no word boundaries: none of these is ever a real word.
  const text = (await page.locator("body").textContent()) ?? "";
  expect(text, where).not.toMatch(/undefined|NaN|null|\[object Object\]/);
  for (const theirs of [other.name, other.order, other.lot])
    expect(text, `${where}: another customer's data`).not.toContain(theirs);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startWebStack(["cn-east", "cn-south"]);
  await writeDemoData(stack.topology.url("cn-east"), devCredentials());
  await anotherCustomer();
  const open = async () => {
    const context = await stack.newContext("en");
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("[page error]", e.message));
    return { context, page };
  };
  buyer = await open();
  rep = await open();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the customer portal and the group workbench", { timeout: 120_000 }, () => {
  test("the buyer signs in to /portal/ and sees their two orders, and no other customer's", async () => {
    const { page } = buyer;
    await openPortal(page, stack.routerUrl);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await assertClean(page, "login");
    const { email, password } = demoPortal();
    await portalLogin(page, email, password);
    await expect
      .poll(() => page.getByTestId("customer-name").textContent(), WAIT)
      .toBe("华东人民医院");
    const orders = page.getByTestId("order");
    await expect.poll(() => orders.count(), WAIT).toBe(2);
    const titles = await orders.locator("strong").allTextContents();
    expect(titles.sort()).toEqual([ORDER, PROPOSAL].sort());
    await expect
      .poll(() => page.getByTestId("orders").textContent(), WAIT)
      .toMatch(/In delivery.*Proposal|Proposal.*In delivery/s);
    await assertClean(page, "home");
  });

  test("“show unpaid invoices”: the filter comes back as chips, with the unpaid invoice and not the paid one", async () => {
    const { page } = buyer;
    const answer = await askQuery(page, "show unpaid invoices");
    expect(answer).toMatchObject({
      kind: "filter",
      chips: ["Invoices", "Overdue", "Unpaid"],
      count: 1,
    });
    if (answer.kind === "filter") expect(answer.understood).toContain("invoices");
    const results = page.getByTestId("query-results");
    await expect.poll(() => results.textContent(), WAIT).toContain("INV-2026-1201");
    expect(await results.textContent()).not.toContain("INV-2026-1101");
    expect(await results.textContent()).toContain("¥930,000.00");
    await assertClean(page, "unpaid invoices");
    await axeCheck(page, "portal home with a query answer");
    await page.screenshot({ path: join(ARTIFACTS, "portal-query-en.png"), fullPage: true });
    // One chip removed: the query runs again as the filter without it.
    const fewer = await removeChip(page, "Overdue");
    expect(fewer).toMatchObject({ kind: "filter", chips: ["Invoices", "Unpaid"], count: 1 });
  });

  test("asked in Chinese for every delivery to 深圳仓: the 深圳仓 delivery only", async () => {
    const { page } = buyer;
    const answer = await askQuery(page, "帮我查所有发往深圳仓的发货");
    expect(answer).toMatchObject({
      kind: "filter",
      chips: ["Deliveries", "To 深圳仓"],
      count: 1,
    });
    const results = page.getByTestId("query-results");
    await expect.poll(() => results.textContent(), WAIT).toContain("第一批（2台）");
    const text = (await results.textContent()) ?? "";
    expect(text).toContain("深圳仓");
    expect(text).not.toContain("第二批");
    expect(text).not.toContain("上海仓");
    await assertClean(page, "deliveries to 深圳仓");
  });

  test("a question it does not understand gets suggestions, and a suggestion runs", async () => {
    const { page } = buyer;
    const answer = await askQuery(page, "what's the weather like");
    expect(answer.kind).toBe("unknown");
    if (answer.kind !== "unknown") return;
    expect(answer.suggestions.length).toBeGreaterThan(0);
    expect(answer.suggestions).toContain("unpaid invoices this quarter");
    await assertClean(page, "suggestions");
    const picked = await pickSuggestion(page, "unpaid invoices this quarter");
    expect(picked).toMatchObject({ kind: "filter", count: 1 });
    if (picked.kind === "filter") expect(picked.chips).toContain("Invoices");
  });

  test("the order's page shows its delivery progress; a delivery-date change request is filed and waits with an SLA countdown", async () => {
    const { page } = buyer;
    await fileChangeRequest(page, {
      contractTitle: ORDER,
      kind: "delivery-date",
      delivery: "第二批（1台） · 上海仓",
      newDate: requestedDate,
      summary,
    });
    await expect
      .poll(() => page.getByTestId("deliveries").textContent(), WAIT)
      .toContain("1 of 2 delivered");
    const card = changeRequestCard(page, summary);
    await expect.poll(() => card.textContent(), WAIT).toContain("Waiting for an answer");
    expect(await slaCountdown(page, summary)).toMatch(/^Answer due in .*\d/);
    expect(await card.textContent()).toContain(asShown(requestedDate));
    expect(await card.textContent()).toContain("第二批（1台） · 上海仓");
    await assertClean(page, "order with a change request");
    await page.screenshot({ path: join(ARTIFACTS, "portal-order-en.png"), fullPage: true });
    await page.getByRole("link", { name: "Change requests", exact: true }).click();
    await expect.poll(() => changeRequestCard(page, summary).count(), WAIT).toBe(1);
    expect(await slaCountdown(page, summary)).toMatch(/^Answer due in .*\d/);
    await assertClean(page, "change requests");
  });

  test("the rep finds it on the group workbench's SLA list, completes the three checks and answers feasible with a new committed date", async () => {
    const { page } = rep;
    await openApp(page, `${stack.routerUrl}/`);
    await logInAsRep(page);
    // The Group tab shows once the rep's groups are known (GET /v1/me/groups).
    await expect
      .poll(() => page.getByRole("link", { name: "Group", exact: true }).count(), WAIT)
      .toBe(1);
    await openWorkbench(page);
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent(), WAIT)
      .toBe("华东重点客户组");
    const row = page.getByTestId("change-request-row").filter({ hasText: summary });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    expect(await row.textContent()).toContain("华东人民医院");
    expect(await row.locator("[data-sla]").getAttribute("data-sla")).toBe("on-track");
    expect(await row.textContent()).toMatch(/Answer due in .*\d/);
    const kpis = (await page.getByTestId("kpis").textContent()) ?? "";
    expect(kpis).toContain("Customer health (group)");
    expect(kpis).not.toMatch(/\b(undefined|NaN|null)\b/);
    expect(await page.getByTestId("group-accounts").textContent()).toContain("华东人民医院");
    await axeCheck(page, "workbench");
    await page.screenshot({ path: join(ARTIFACTS, "workbench-en.png"), fullPage: true });

    await openGroupChangeRequest(page, summary);
    const screen = page.getByTestId("change-request");
    await expect.poll(() => screen.textContent(), WAIT).toContain(ORDER);
    const asked = (await screen.textContent()) ?? "";
    expect(asked).toContain("华东人民医院");
    expect(asked).toContain("第二批（1台） · 上海仓");
    expect(asked).toContain(`New date${asShown(requestedDate)}`);
    await completeCheck(page, "R&D", "ok");
    await completeCheck(page, "Supply chain", "impact", "上海仓库存需调拨");
    await completeCheck(page, "Quality", "ok");
    await expect.poll(() => page.getByText("3 of 3 departments checked").count(), WAIT).toBe(1);
    await answerChangeRequest(page, {
      feasible: true,
      newDate: committedDate,
      message: "可以，第二批改期交付。",
    });
    await expect
      .poll(() => page.getByTestId("answer").textContent(), WAIT)
      .toContain(`New committed date: ${asShown(committedDate)}`);
    await axeCheck(page, "change request answered");
    await page.screenshot({ path: join(ARTIFACTS, "workbench-answer-en.png"), fullPage: true });
    // Answered: it leaves the workbench's list of open requests.
    await openWorkbench(page);
    await expect
      .poll(() => page.getByTestId("change-request-row").filter({ hasText: summary }).count(), WAIT)
      .toBe(0);
  });

  test("back in the portal the buyer sees the answer with the new committed date and accepts it", async () => {
    const { page } = buyer;
    const card = changeRequestCard(page, summary);
    // Fresh from the server through the app's own navigation, which remounts the list and
    // reads it again: a full reload waits for the page's "load" event, which a loaded CI
    // runner once delayed past Playwright's 30 s.
    const reread = async () => {
      await page.getByRole("link", { name: "My orders", exact: true }).click();
      await page.getByRole("link", { name: "Change requests", exact: true }).click();
      return (await card.textContent({ timeout: 2_000 }).catch(() => "")) ?? "";
    };
    await expect
      .poll(reread, { timeout: 30_000, interval: 1_000 })
      .toContain("Answered — your decision");
    const text = (await card.textContent()) ?? "";
    expect(text).toContain("Feasible");
    expect(text).toContain(`New committed date${asShown(committedDate)}`);
    expect(text).toContain("可以，第二批改期交付。");
    expect(await card.getByTestId("sla-countdown").count()).toBe(0);
    await assertClean(page, "answered");
    await respondToAnswer(page, summary, "accept");
    await expect.poll(() => card.textContent(), WAIT).toContain("You responded");
    await assertClean(page, "accepted");
  });
});
