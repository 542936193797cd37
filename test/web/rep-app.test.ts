// The rep app in real Chromium against real regions (DESIGN §8): everything a rep does in a
// basement with no signal is queued on the device, survives a reload, and lands exactly
// once when the network returns — in whichever region of the jurisdiction is up.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { devCredentials } from "../../scripts/seed.ts";
import { eventually } from "../support/test-region.ts";
import { drawSignature, outbox, settled as settledIn } from "./flows.ts";
import { logInAsRep, openApp, startWebStack, type WebStack } from "./harness.ts";

const ARTIFACTS = join(import.meta.dirname, "..", "..", "web", "test-artifacts");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHOTO = join(import.meta.dirname, "..", "..", "web", "public", "icons", "icon-512.png");
const KEY = devCredentials().apiKey;

/** expect.poll's default (1 s) is too short for a page booting on a loaded 2-core machine. */
const WAIT = { timeout: 10_000 };

let stack: WebStack;
let context: BrowserContext;
let page: Page;
const run = Math.random().toString(36).slice(2, 8).toUpperCase();
const customerName = `E2E 社区医院 ${run}`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startWebStack(["cn-east", "cn-south"]);
  context = await stack.newContext("en");
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("[page error]", e.message));
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

async function api(region: string, path: string, init: RequestInit = {}) {
  const res = await fetch(stack.topology.url(region) + path, {
    ...init,
    headers: { authorization: `Bearer ${KEY}`, ...(init.headers as Record<string, string>) },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers are read loosely, as a client would
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** The shared poller (test-region's `eventually`) over a read and a condition on it. */
const until = <T>(read: () => Promise<T>, ok: (v: T) => boolean) =>
  eventually(async () => {
    const v = await read();
    return ok(v) ? v : undefined;
  }, 20_000);

/** Waits until the outbox holds `total` commands and none is pending. */
async function settled(total: number): Promise<void> {
  await settledIn(page, total);
}

async function pendingCount(): Promise<number> {
  const el = page.locator('[data-testid="pending-count"]');
  return (await el.count()) === 0 ? 0 : Number(await el.textContent());
}

async function axeCheck(name: string) {
  await page.addScriptTag({ content: AXE });
  const result =
    (await page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`)) as Array<{
      id: string;
      impact: string;
      nodes: number;
    }>;
  const bad = result.filter(
    (v: { impact: string }) => v.impact === "serious" || v.impact === "critical",
  );
  expect(bad, `${name}: ${JSON.stringify(result)}`).toEqual([]);
}

describe("the rep app, offline first", { timeout: 90_000 }, () => {
  test("log in as the dev rep; the app shell is served by the router and its service worker takes over", async () => {
    await openApp(page, `${stack.routerUrl}/`);
    await logInAsRep(page);
    await expect
      .poll(() => page.locator('[data-testid="region"]').textContent(), WAIT)
      .toMatch(/cn-(east|south)/);
    // Straight to the jurisdiction's regions (learned from /v1/regions), not through the router.
    const list = page.waitForResponse((r) => r.url().includes("/v1/customers?"));
    await page.reload();
    expect(new URL((await list).url()).origin).toBe(stack.topology.url("cn-east"));
    await axeCheck("customers");
    await page.screenshot({ path: join(ARTIFACTS, "customers-en.png"), fullPage: true });
  });

  test("offline: a customer with a contact, a contract sent and signed in person on the pad, the countersignature and a payment with a voucher photo are queued and shown as pending", async () => {
    await context.setOffline(true);
    await expect.poll(() => page.locator('[data-testid="offline-banner"]').count(), WAIT).toBe(1);

    await page.getByRole("link", { name: "New customer" }).click();
    await page.locator('input[name="name"]').fill(customerName);
    await page.getByLabel("Contact name").fill("王医生");
    await page.getByLabel("Phone").fill("+86 138 0013 8000");
    await axeCheck("customer-new");
    await page.screenshot({ path: join(ARTIFACTS, "customer-new-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Create customer" }).click();
    await page.getByRole("link", { name: "New contract" }).click();
    await page.locator('input[name="title"]').fill("Ultrasound X200");
    await page.locator('input[name="amount"]').fill("1280000");
    await page.getByRole("button", { name: "Draft contract" }).click();
    await page.getByRole("button", { name: "Send to customer" }).click();
    await page.locator('input[name="signer"]').fill("张三");
    await drawSignature(page);
    await axeCheck("contract-sign");
    await page.screenshot({ path: join(ARTIFACTS, "contract-sign-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Save customer signature" }).click();
    await page.getByRole("button", { name: "Countersign for the vendor" }).click();
    await page.locator('input[name="reference"]').fill(`ICBC-${run}-0001`);
    await page.locator('form input[name="amount"]').fill("500000");
    await page.locator('input[name="voucher"]').setInputFiles(PHOTO);
    await page.getByText(/Photo ready/).waitFor();
    await page.getByRole("button", { name: "Confirm payment" }).click();

    await expect.poll(pendingCount, WAIT).toBe(6);
    await expect
      .poll(() => page.locator('[data-testid="offline-banner"]').textContent(), WAIT)
      .toContain("6");
    await expect
      .poll(
        () => page.locator('[data-testid="payments"] [data-testid="pending-tag"]').count(),
        WAIT,
      )
      .toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "contract-offline-en.png"), fullPage: true });
  });

  test("reloading while offline keeps the queue (the shell comes from the service worker, the outbox from IndexedDB)", async () => {
    const res = await page.reload();
    expect(res?.fromServiceWorker()).toBe(true);
    // All six are still there, in order. (Playwright's offline emulation sometimes lets a
    // reloaded page's cross-origin requests through its service worker, so some may already
    // be confirmed by now; which is fine — exactly once is checked below.)
    const rows = await outbox(page);
    expect(rows.map((r) => r.kind)).toEqual([
      "customer.create",
      "contract.create",
      "contract.send",
      "signature.add",
      "signature.add",
      "payment.confirm",
    ]);
    expect(rows.every((r) => r.state === "pending" || r.state === "confirmed")).toBe(true);
    await page.getByRole("link", { name: /Outbox/ }).click();
    await expect.poll(() => page.locator('[data-testid="outbox"] li').count(), WAIT).toBe(6);
    await axeCheck("outbox");
    await page.screenshot({ path: join(ARTIFACTS, "outbox-offline-en.png"), fullPage: true });
  });

  test("online again: every command is confirmed, and each record exists exactly once in the API and in cn-south", async () => {
    await context.setOffline(false);
    await settled(6);
    await expect
      .poll(() => page.locator('[data-testid="outbox"] li[data-state="confirmed"]').count(), WAIT)
      .toBe(6);

    for (const region of ["cn-east", "cn-south"]) {
      const list = await until(
        () => api(region, `/v1/customers?q=${encodeURIComponent(customerName)}`),
        (r) => r.body?.items?.length >= 1,
      );
      expect(list.body.items.map((c: { name: string }) => c.name)).toEqual([customerName]);
    }
    const customerId = (
      await api("cn-south", `/v1/customers?q=${encodeURIComponent(customerName)}`)
    ).body.items[0].id;
    const customer = await api("cn-south", `/v1/customers/${customerId}`);
    expect(customer.body.contacts).toEqual([{ name: "王医生", phone: "+86 138 0013 8000" }]);
    const contracts = await until(
      () => api("cn-south", `/v1/contracts?customerId=${customerId}`),
      (r) => r.body?.items?.length >= 1,
    );
    expect(contracts.body.items).toHaveLength(1);
    const contract = await until(
      () => api("cn-south", `/v1/contracts/${contracts.body.items[0].id}`),
      (r) => r.body?.payments?.length >= 1 && r.body?.signatures?.length >= 2,
    );
    expect(contract.body.status).toBe("active");
    expect(contract.body.signatures.map((s: { party: string }) => s.party).sort()).toEqual([
      "customer",
      "vendor",
    ]);
    const signature = contract.body.signatures.find(
      (s: { party: string }) => s.party === "customer",
    );
    expect(signature.documentHash).toBe(contract.body.documentHash);
    expect(signature.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(contract.body.payments).toHaveLength(1);
    const voucher = contract.body.payments[0].voucher.sha256;
    const file = await fetch(`${stack.topology.url("cn-south")}/v1/files/${voucher}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
  });

  test("[LF2] a payment whose answer is lost is replayed with the same Idempotency-Key (failing over to the other region) and is not doubled", async () => {
    // Playwright cannot intercept what a service worker lets through, so this session
    // runs without one (the outbox and failover are the page's, as with it).
    const ctx = await stack.browser.newContext({ locale: "en", serviceWorkers: "block" });
    const previous = page;
    page = await ctx.newPage();
    try {
      await page.goto(`${stack.routerUrl}/`);
      await logInAsRep(page);
      await page.getByRole("link", { name: customerName }).click();
      await page.getByRole("link", { name: /Ultrasound X200/ }).click();
      let lost = 0;
      await ctx.route("**/v1/payments", async (route) => {
        if (lost > 0 || route.request().method() !== "POST") return route.continue();
        lost++;
        await route.fetch(); // the region takes the payment …
        await route.abort("connectionreset"); // … and its answer never arrives
      });
      await page.locator('input[name="reference"]').fill(`ICBC-${run}-0002`);
      await page.locator('form input[name="amount"]').fill("100000");
      await page.getByRole("button", { name: "Confirm payment" }).click();
      await settled(1);
      expect((await outbox(page)).map((r) => [r.kind, r.state])).toEqual([
        ["payment.confirm", "confirmed"],
      ]);
      expect(lost).toBe(1);
      const contracts = await api("cn-south", `/v1/contracts?customerId=${await customerIdOf()}`);
      for (const region of ["cn-east", "cn-south"]) {
        const c = await until(
          () => api(region, `/v1/contracts/${contracts.body.items[0].id}`),
          (r) => r.body?.payments?.length >= 2,
        );
        const refs = c.body.payments.map((p: { reference: string }) => p.reference).sort();
        expect(refs).toEqual([`ICBC-${run}-0001`, `ICBC-${run}-0002`]);
        expect(c.body.paid.value).toBe(60_000_000);
      }
    } finally {
      await ctx.close();
      page = previous;
    }
  });

  test("a rejected command shows the server's reason, and a conflict (one bank reference, two amounts) says what to do", async () => {
    await page.getByRole("link", { name: "Customers" }).click();
    await page.getByRole("link", { name: customerName }).click();
    await page.getByRole("link", { name: /Ultrasound X200/ }).click();
    await page.locator('input[name="reference"]').fill(`ICBC-${run}-0001`);
    await page.locator('form input[name="amount"]').fill("1");
    await page.getByRole("button", { name: "Confirm payment" }).click();
    await page.getByRole("link", { name: "Customers" }).click();
    await page.getByRole("link", { name: "New customer" }).click();
    await page.locator('input[name="name"]').fill(`E2E rejected ${run}`);
    await page.getByLabel("Contact name").fill("Li");
    await page.getByLabel("Phone").fill("not a phone");
    await page.getByRole("button", { name: "Create customer" }).click();
    await settled(8);
    await page.getByRole("link", { name: /Outbox/ }).click();
    const conflict = page.locator('[data-testid="outbox"] li[data-state="conflict"]');
    await expect
      .poll(() => conflict.textContent(), WAIT)
      .toContain("already recorded with a different amount");
    await expect(conflict.textContent()).resolves.toContain("What to do");
    const rejected = page.locator('[data-testid="outbox"] li[data-state="rejected"]');
    await expect
      .poll(() => rejected.textContent(), WAIT)
      .toMatch(/Some fields are not valid: .*phone/);
    await axeCheck("outbox-outcomes");
    await page.screenshot({ path: join(ARTIFACTS, "outbox-outcomes-en.png"), fullPage: true });
  });

  test("offline insights: the on-device model gives the same sentiment label as the region for the same text, and says it ran on the device", async () => {
    const notes = "客户：价格比华康贵不少，售后响应也要快\n客户：你们的设备质量很好，我们很满意";
    await page.getByRole("link", { name: "Call insights" }).click();
    await page.locator('textarea[name="notes"]').fill(notes);
    await page.getByRole("button", { name: "Analyse" }).click();
    await page.locator('[data-testid="insight"][data-source="region"]').waitFor();
    const regionLabels = await page
      .locator('[data-testid="sentiment"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-label")));
    expect(regionLabels).toHaveLength(2);
    await context.setOffline(true);
    await page.locator('textarea[name="notes"]').fill(notes);
    await page.getByRole("button", { name: "Analyse" }).click();
    await page
      .locator('[data-testid="insight"][data-source="on-device"]')
      .waitFor({ timeout: 30_000 });
    const deviceLabels = await page
      .locator('[data-testid="sentiment"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-label")));
    expect(deviceLabels).toEqual(regionLabels);
    await axeCheck("insights");
    await page.screenshot({ path: join(ARTIFACTS, "insights-on-device-en.png"), fullPage: true });
    await context.setOffline(false);
    // The region re-analyses it once online.
    await settled(9);
    await page.locator('[data-testid="insight"][data-source="region"]').waitFor();
  });

  test("cn-east killed mid-session (its process group): the rep keeps working through cn-south, and the app says which region served it", async () => {
    await stack.topology.kill("cn-east");
    await page.getByRole("link", { name: "Customers" }).click();
    await page.getByRole("link", { name: "New customer" }).click();
    const name = `E2E after cn-east ${run}`;
    await page.locator('input[name="name"]').fill(name);
    await page.getByRole("button", { name: "Create customer" }).click();
    await settled(10);
    await expect
      .poll(() => page.locator('[data-testid="region"]').textContent(), WAIT)
      .toContain("cn-south");
    const list = await until(
      () => api("cn-south", `/v1/customers?q=${encodeURIComponent(name)}`),
      (r) => r.body?.items?.length >= 1,
    );
    expect(list.body.items).toHaveLength(1);
  });

  test("a Lifeline-Degraded answer shows a calm banner saying what is reduced (inference-off → AI suggestions paused)", async () => {
    // Forced for the tenant in every region still running (the mode is each region's own).
    const c = devCredentials();
    const force = async (action: "force" | "clear") => {
      for (const region of ["cn-east", "cn-south"]) {
        const url = stack.topology.url(region);
        const login = await fetch(`${url}/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: c.adminEmail, password: c.adminPassword }),
        }).catch(() => null);
        if (login?.status !== 200) continue; // cn-east is down by now
        const { token } = (await login.json()) as { token: string };
        const res = await fetch(`${url}/v1/admin/degradation/modes/inference-off`, {
          method: "PUT",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            action,
            forMs: action === "force" ? 120_000 : 1_000,
            reason: "rep app e2e: the banner",
          }),
        });
        expect(res.status).toBe(200);
      }
    };
    await force("force");
    // The region takes it up within its modes cache; wait until an analysis there sheds.
    await until(
      () =>
        fetch(`${stack.topology.url("cn-south")}/v1/insights/analyze`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ transcript: [{ speaker: "customer", text: "好的" }] }),
        }),
      (res) => (res.headers.get("lifeline-degraded") ?? "").includes("inference-off"),
    );
    await page.getByRole("link", { name: "Call insights" }).click();
    await page.locator('textarea[name="notes"]').fill("客户：预算已经批了，但是要走招标流程");
    await page.getByRole("button", { name: "Analyse" }).click();
    await expect
      .poll(() => page.locator('[data-testid="degraded-banner"]').textContent(), {
        timeout: 15_000,
      })
      .toContain("AI suggestions paused");
    await page.screenshot({ path: join(ARTIFACTS, "degraded-en.png"), fullPage: true });
    await force("clear");
  });

  test("zh-CN: the main screens in Chinese (the browser's language), accessible", async () => {
    const zh = await stack.newContext("zh-CN");
    const p = await zh.newPage();
    const previous = page;
    page = p;
    try {
      await openApp(p, `${stack.routerUrl}/`);
      await p.getByRole("heading", { name: "登录" }).waitFor();
      await axeCheck("login-zh");
      await p.screenshot({ path: join(ARTIFACTS, "login-zh.png"), fullPage: true });
      await logInAsRep(p);
      await axeCheck("customers-zh");
      await p.screenshot({ path: join(ARTIFACTS, "customers-zh.png"), fullPage: true });
      await p.getByRole("link", { name: customerName }).click();
      await p.getByRole("link", { name: /Ultrasound X200/ }).click();
      await p.getByRole("heading", { name: "签名" }).waitFor();
      await axeCheck("contract-zh");
      await p.screenshot({ path: join(ARTIFACTS, "contract-zh.png"), fullPage: true });
      await p.getByRole("link", { name: "通话洞察" }).click();
      await axeCheck("insights-zh");
      await p.screenshot({ path: join(ARTIFACTS, "insights-zh.png"), fullPage: true });
    } finally {
      page = previous;
      await zh.close();
    }
  });
});

async function customerIdOf(): Promise<string> {
  return (await api("cn-south", `/v1/customers?q=${encodeURIComponent(customerName)}`)).body
    .items[0].id;
}
