// What a customer does in the portal (/portal/) and what a group member does on the group
// workbench of the rep app, as Playwright steps over the English UI, found by role and
// label as a screen reader would find them. Shared by the browser tests of issue 11.
import type { Locator, Page } from "playwright-core";

export type ChangeKind = "delivery-date" | "address" | "contact" | "quantity" | "scope";

/** Opens the portal (a hash route, e.g. "#/change-requests", optional). */
export async function openPortal(page: Page, baseUrl: string, hash = ""): Promise<void> {
  await page.goto(`${baseUrl.replace(/\/+$/, "")}/portal/${hash}`);
  await page.locator("main").waitFor();
}

/** Signs a customer user in from the portal's login screen; resolves on "My orders". */
export async function portalLogin(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const done = page.getByRole("navigation", { name: "Portal" });
  const error = page.getByRole("alert");
  await done.or(error).first().waitFor();
  if (await error.isVisible())
    throw new Error(`portal login failed: ${(await error.textContent()) ?? ""}`);
}

export async function portalLogout(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
}

/** Accepts an invitation (#/accept?code=…) with a new password; resolves on the login screen. */
export async function acceptInvitation(
  page: Page,
  baseUrl: string,
  code: string,
  password: string,
): Promise<void> {
  await openPortal(page, baseUrl, `#/accept?code=${encodeURIComponent(code)}`);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("Repeat the new password").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Your password is set").waitFor();
}

/** From anywhere in the portal: opens an order by its title. */
export async function openOrder(page: Page, title: string): Promise<void> {
  await page.getByRole("link", { name: "My orders", exact: true }).click();
  await page.getByTestId("orders").getByRole("link", { name: title }).first().click();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
}

export type QueryOutcome =
  | { kind: "filter"; understood: string; chips: string[]; count: number }
  | { kind: "unknown"; suggestions: string[] }
  | { kind: "refused"; message: string }
  | { kind: "error"; message: string };

function answerBox(page: Page): Locator {
  return page.getByTestId("query-answer");
}

/** What the query box shows now: the filter as chips, suggestions, a refusal or an error. */
export async function readQueryAnswer(page: Page): Promise<QueryOutcome> {
  const box = answerBox(page);
  const chips = box.getByRole("list", { name: "Search filter" });
  if ((await chips.count()) > 0) {
    const said = box.getByText(/^Understood: /);
    const understood =
      (await said.count()) > 0
        ? ((await said.textContent()) ?? "").replace(/^Understood: /, "")
        : "";
    const status = (await box.getByRole("status").last().textContent()) ?? "";
    return {
      kind: "filter",
      understood,
      chips: await chips.locator(".chip-label").allTextContents(),
      count: /^\d+/.test(status) ? Number.parseInt(status, 10) : 0,
    };
  }
  if ((await box.getByText("Sorry, I did not understand").count()) > 0)
    return { kind: "unknown", suggestions: await box.getByRole("button").allTextContents() };
  const alert = box.getByRole("alert");
  if ((await alert.count()) > 0)
    return { kind: "error", message: (await alert.textContent()) ?? "" };
  return { kind: "refused", message: (await box.getByRole("status").textContent()) ?? "" };
}

/** Runs `action` and waits for the query box to show the answer it brings. */
async function queryRound(page: Page, action: () => Promise<void>): Promise<QueryOutcome> {
  const answered = page.waitForResponse(
    (r) => r.url().endsWith("/v1/portal/query") && r.request().method() === "POST",
  );
  try {
    await action();
  } catch (err) {
    answered.catch(() => {});
    throw err;
  }
  await answered;
  await page.waitForFunction(
    `(() => { const b = document.querySelector('[data-testid="query-answer"]');
      return b !== null && b.getAttribute("aria-busy") !== "true" && b.children.length > 0; })()`,
  );
  return readQueryAnswer(page);
}

/** On "My orders": asks the query box and returns what it understood (or suggested). */
export async function askQuery(page: Page, text: string): Promise<QueryOutcome> {
  return queryRound(page, async () => {
    await page.getByLabel("Ask about your orders").fill(text);
    await page.getByRole("button", { name: "Ask", exact: true }).click();
  });
}

/** Removes one chip of the understood filter (by its label); the query runs again without it. */
export async function removeChip(page: Page, label: string): Promise<QueryOutcome> {
  return queryRound(page, () =>
    answerBox(page)
      .getByRole("button", { name: `Remove “${label}”` })
      .click(),
  );
}

/** Runs one of the suggestions the query box offered. */
export async function pickSuggestion(page: Page, suggestion: string): Promise<QueryOutcome> {
  return queryRound(page, () =>
    answerBox(page).getByRole("button", { name: suggestion, exact: true }).click(),
  );
}

/**
 * Files a change request on an order from its page. `newDate` (YYYY-MM-DD) is the requested
 * date of a delivery-date change; `value` fills the kind's field for the other kinds;
 * `delivery` picks one of the order's deliveries by its label ("name · destination").
 */
export async function fileChangeRequest(
  page: Page,
  input: {
    contractTitle: string;
    kind: ChangeKind;
    summary: string;
    newDate?: string;
    value?: string;
    delivery?: string;
  },
): Promise<void> {
  await openOrder(page, input.contractTitle);
  await page.getByRole("link", { name: "Request a change" }).click();
  await page.getByRole("heading", { name: "Request a change" }).waitFor();
  await page.getByLabel("What should change").selectOption(input.kind);
  if (input.delivery)
    await page.getByLabel("Which delivery").selectOption({ label: input.delivery });
  if (input.kind === "delivery-date")
    await page.getByLabel("New delivery date").fill(input.newDate ?? input.value ?? "");
  if (input.kind === "address")
    await page.getByLabel("New delivery address").fill(input.value ?? "");
  if (input.kind === "contact") await page.getByLabel("New contact name").fill(input.value ?? "");
  if (input.kind === "quantity") await page.getByLabel("New quantity").fill(input.value ?? "");
  await page.getByLabel("Describe the change").fill(input.summary);
  await assertFormValid(page);
  await page.getByRole("button", { name: "Send request" }).click();
  const filed = page.getByText("Your request is filed");
  const error = page.getByRole("alert");
  await filed.or(error).first().waitFor();
  if (await error.isVisible())
    throw new Error(`change request refused: ${(await error.textContent()) ?? ""}`);
}

/** The browser would refuse to submit the form in main (a past date, a missing field): say why. */
async function assertFormValid(page: Page): Promise<void> {
  const problem = (await page.evaluate(`(() => {
    const bad = document.querySelector("main form :invalid");
    return bad ? (bad.name || bad.id) + ": " + bad.validationMessage : null;
  })()`)) as string | null;
  if (problem) throw new Error(`the form is not valid: ${problem}`);
}

/** The change request card whose heading holds `summary` (on the list or an order's page). */
export function changeRequestCard(page: Page, summary: string): Locator {
  return page
    .getByTestId("change-request")
    .filter({ has: page.getByRole("heading", { name: summary }) });
}

/** The live SLA countdown of a change request ("Answer due in 2 h 14 min" / "Answer overdue"). */
export async function slaCountdown(page: Page, summary: string): Promise<string> {
  return (await changeRequestCard(page, summary).getByTestId("sla-countdown").textContent()) ?? "";
}

/** On "Change requests": accepts or declines the group's answer to a request. */
export async function respondToAnswer(
  page: Page,
  summary: string,
  decision: "accept" | "decline",
): Promise<void> {
  const card = changeRequestCard(page, summary);
  await card
    .getByRole("button", {
      name: decision === "accept" ? "Accept the answer" : "Decline the answer",
    })
    .click();
  await card.getByText(decision === "accept" ? "Accepted" : "Declined", { exact: true }).waitFor();
}

/** The calm read-only banner is up (Lifeline-Degraded: portal-read-only). */
export async function isPortalReadOnly(page: Page): Promise<boolean> {
  return page.getByText("Changes are paused for now").isVisible();
}

// ---- The group workbench (rep app, signed in as a group member) ----

/** Opens the workbench from the nav ("Group"); with several groups, the one named `group`. */
export async function openWorkbench(page: Page, group?: string): Promise<void> {
  await page.getByRole("link", { name: "Group", exact: true }).click();
  if (group) {
    const link = page.getByRole("link", { name: group });
    if (await link.isVisible().catch(() => false)) await link.click();
  }
  await page.getByTestId("workbench").waitFor();
}

/** From the workbench: opens an open change request by (part of) its summary. */
export async function openGroupChangeRequest(page: Page, summary: string): Promise<void> {
  await page.getByTestId("open-change-requests").getByRole("link", { name: summary }).click();
  await page.getByRole("heading", { name: "Impact checklist" }).waitFor();
}

export type Department = "R&D" | "Supply chain" | "Quality";
export type CheckStatus = "pending" | "ok" | "impact" | "blocked";

/** On a change request: one department's impact check, saved. */
export async function completeCheck(
  page: Page,
  department: Department,
  status: CheckStatus,
  note = "",
): Promise<void> {
  const group = page.getByRole("group", { name: department });
  await group.getByLabel("Status").selectOption(status);
  await group.getByLabel("Note").fill(note);
  await group.getByRole("button", { name: `Save ${department} check` }).click();
  const saved = group.getByText("Saved", { exact: true });
  const error = group.getByRole("alert");
  await saved.or(error).first().waitFor();
  if (await error.isVisible())
    throw new Error(`check not saved: ${(await error.textContent()) ?? ""}`);
}

/** On a change request: answers the customer (feasible or not, a new committed date, a message). */
export async function answerChangeRequest(
  page: Page,
  input: { feasible: boolean; newDate?: string | null; message: string },
): Promise<void> {
  await page
    .getByRole("radio", { name: input.feasible ? "Yes, feasible" : "No, not feasible" })
    .check();
  if (input.newDate) await page.getByLabel("New committed date (optional)").fill(input.newDate);
  await page.getByLabel("Message to the customer").fill(input.message);
  await assertFormValid(page);
  await page.getByRole("button", { name: "Send answer" }).click();
  const answered = page.getByTestId("answer");
  const error = page.getByTestId("answer-form").getByRole("alert");
  await answered.or(error).first().waitFor();
  if (await error.isVisible())
    throw new Error(`answer refused: ${(await error.textContent()) ?? ""}`);
}

/** On the workbench: approves or rejects an open approval (found by its reason); returns what
 * the app says about the decision (its delegation, the escalation or the simplified path). */
export async function decideApproval(
  page: Page,
  reason: string,
  decision: "approve" | "reject",
): Promise<string> {
  const row = page.getByTestId("approval").filter({ hasText: reason });
  await row.getByRole("button", { name: decision === "approve" ? "Approve" : "Reject" }).click();
  const result = row.getByTestId("decision");
  const error = row.getByRole("alert");
  await result.or(error).first().waitFor();
  if (await error.isVisible())
    throw new Error(`decision refused: ${(await error.textContent()) ?? ""}`);
  return (await result.textContent()) ?? "";
}
