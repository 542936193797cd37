// What a rep does in the app, as Playwright steps (English UI), shared by the browser tests
// and `npm run bench:web`, plus readers of the app's own outbox (IndexedDB, in the page).
import type { Page } from "playwright-core";
import { eventually } from "../support/test-region.ts";

export async function createCustomer(
  page: Page,
  name: string,
  contact?: { name: string; phone?: string },
): Promise<void> {
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("link", { name: "New customer" }).click();
  await page.locator('input[name="name"]').fill(name);
  if (contact) {
    await page.getByLabel("Contact name").fill(contact.name);
    if (contact.phone) await page.getByLabel("Phone").fill(contact.phone);
  }
  await page.getByRole("button", { name: "Create customer" }).click();
  await page.getByRole("link", { name: "New contract" }).waitFor();
}

/** From a customer's page: drafts a contract and opens it. */
export async function draftContract(page: Page, title: string, amount: string): Promise<void> {
  await page.getByRole("link", { name: "New contract" }).click();
  await page.locator('input[name="title"]').fill(title);
  await page.locator('input[name="amount"]').fill(amount);
  await page.getByRole("button", { name: "Draft contract" }).click();
  await page.getByRole("button", { name: "Send to customer" }).waitFor();
}

export async function drawSignature(page: Page): Promise<void> {
  const pad = page.locator('[data-testid="signature-pad"]');
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++)
    await page.mouse.move(box.x + 20 + i * 20, box.y + box.height * (0.6 + 0.25 * Math.sin(i)));
  await page.mouse.up();
}

/** From a contract's page: send, the customer signs on the pad, the vendor countersigns. */
export async function sendAndSign(page: Page, signer: string): Promise<void> {
  await page.getByRole("button", { name: "Send to customer" }).click();
  await page.locator('input[name="signer"]').fill(signer);
  await drawSignature(page);
  await page.getByRole("button", { name: "Save customer signature" }).click();
  await page.getByRole("button", { name: "Countersign for the vendor" }).click();
  await page.getByRole("heading", { name: "Confirm a payment" }).waitFor();
}

/** From a signed contract's page: a payment, with a voucher photo if given. */
export async function confirmPayment(
  page: Page,
  reference: string,
  amount: string,
  photo?: string,
): Promise<void> {
  await page.locator('input[name="reference"]').fill(reference);
  await page.locator('form input[name="amount"]').fill(amount);
  if (photo) {
    await page.locator('input[name="voucher"]').setInputFiles(photo);
    await page.getByText(/Photo ready/).waitFor();
  }
  await page.getByRole("button", { name: "Confirm payment" }).click();
  // Queued: the form clears itself, ready for the next one.
  await page.waitForFunction(`document.querySelector('input[name="reference"]').value === ""`);
}

export type OutboxRow = {
  kind: string;
  state: string;
  seq: number;
  at: number | null;
  region: string | null;
};

/** The outbox as the app stored it (IndexedDB), read in the page. */
export async function outbox(page: Page): Promise<OutboxRow[]> {
  return (await page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open("lifeline-rep");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction("outbox").objectStore("outbox").getAll();
      all.onsuccess = () => {
        resolve(all.result.map((c) => ({ kind: c.kind, state: c.state, seq: c.seq,
          at: c.result ? c.result.at : null, region: c.result ? c.result.region : null })));
        open.result.close();
      };
    };
  })`)) as OutboxRow[];
}

/** Resolves once the outbox holds `total` commands and none is pending; throws after `timeoutMs`. */
export async function settled(page: Page, total: number, timeoutMs = 30_000): Promise<OutboxRow[]> {
  let last: OutboxRow[] = [];
  try {
    return await eventually(async () => {
      // A navigation in between (the app reloading itself for a new version) is retried.
      last = await outbox(page).catch((err: Error) => {
        if (/context was destroyed|navigat/i.test(err.message)) return [];
        throw err;
      });
      return last.length === total && last.every((r) => r.state !== "pending") ? last : undefined;
    }, timeoutMs);
  } catch (err) {
    throw new Error(
      `${(err as Error).message}: outbox ${JSON.stringify(last.map((r) => `${r.kind}:${r.state}`))}`,
    );
  }
}
