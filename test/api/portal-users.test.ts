// Customer portal users through the real stack (two regions of one jurisdiction, cn-east
// and cn-south, each workerd + libSQL): staff invite a person of the customer (a one-time
// code, shown once), the person accepts with a password and logs in — in the region that
// took the acceptance and, once the account's facts have replicated, in the other one
// (DESIGN §11, §12). A portal session opens no staff route and staff credentials open no
// portal route; a used, unknown or disabled user's code is a 404; a disabled user cannot
// log in. Every change is audited without a code or a hash.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type OpenApiDoc, recordedExchanges, responseIssues } from "../support/contract.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  REP,
  startPeeredRegions,
  type TestRegion,
} from "../support/test-region.ts";

let east: TestRegion;
let south: TestRegion;
let repToken: string;
let adminToken: string;
let customerId: string;
let n = 0;
const key = (what: string) => ({ "idempotency-key": `${what}-${Date.now()}-${n++}` });
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const stamp = Date.now().toString(36);
const emailOf = (who: string) => `${who}-${stamp}@customer.test`;

const rep = (r = () => east) => client(() => r().url, repToken);
const admin = (r = () => east) => client(() => r().url, adminToken);
const integrator = (r = () => east) => client(() => r().url, DEMO_KEY);
const anonymous = (r = () => east) => client(() => r().url, "");
const portal = (token: string, r = () => east) => client(() => r().url, token);

const invite = (email: string, name = "Zhao Liu", headers = key("invite"), id = customerId) =>
  rep()("POST", `/v1/customers/${id}/portal-users`, { email, name }, headers);
const accept = (code: string, password: string, r = () => east) =>
  anonymous(r)("POST", "/v1/portal/auth/accept", { code, password });
const portalLogin = (email: string, password: string, r = () => east) =>
  anonymous(r)("POST", "/v1/portal/auth/login", { email, password });

/** An invited person who accepted: their e-mail, password and a session in cn-east. */
async function activeUser(who: string) {
  const email = emailOf(who);
  const invited = await invite(email);
  expect(invited.status).toBe(201);
  const password = `${who}-portal-password`;
  expect((await accept(invited.body.invitation.code, password)).status).toBe(204);
  const session = await portalLogin(email, password);
  expect(session.status).toBe(200);
  return { id: invited.body.user.id as string, email, password, token: session.body.token };
}

beforeAll(async () => {
  // Many logins from one test address: the login limits are not what this file tests.
  const RATE_LIMITS = JSON.stringify({
    loginAddress: { burst: 1_000, perS: 100 },
    loginEmail: { burst: 1_000, perS: 100 },
  });
  [east, south] = await startPeeredRegions(["cn-east", "cn-south"], { bindings: { RATE_LIMITS } });
  [repToken, adminToken] = await Promise.all([login(east.url, REP), login(east.url, ADMIN)]);
  const customer = await integrator()("POST", "/v1/customers", {
    name: `Portal clinic ${stamp}`,
    residency: "cn",
    tier: "key",
  });
  expect(customer.status).toBe(201);
  customerId = customer.body.id;
}, 120_000);

afterAll(async () => {
  await Promise.all([east?.stop(), south?.stop()]);
});

describe("inviting a customer's person", () => {
  test("201 with a one-time code, not cached; a replay of the key answers the user without the code", async () => {
    const headers = key("invite");
    const email = emailOf("Shown.Once");
    const first = await invite(email, "Shown Once", headers);
    expect(first.status).toBe(201);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("location")).toBe(
      `/v1/customers/${customerId}/portal-users/${first.body.user.id}`,
    );
    expect(first.body.user).toMatchObject({
      id: expect.stringMatching(/^pus_[0-9A-Z]{26}$/),
      email: email.toLowerCase(),
      name: "Shown Once",
      status: "invited",
      activatedAt: null,
    });
    const { code, expiresAt } = first.body.invitation;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect(first.body.user.invitationExpiresAt).toBe(expiresAt);

    const replay = await invite(email, "Shown Once", headers);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual({ user: first.body.user, invitation: null });

    // Staff read the user back; neither the code nor its hash is anywhere.
    const one = await rep()(
      "GET",
      `/v1/customers/${customerId}/portal-users/${first.body.user.id}`,
    );
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first.body.user);
    const list = await rep()("GET", `/v1/customers/${customerId}/portal-users`);
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(first.body.user);
    for (const text of [one.text, list.text, replay.text]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(sha256(code));
    }
  });

  test("an integrator key cannot invite or list (403); a bad body is a 400 naming the field; an unknown customer 404", async () => {
    const path = `/v1/customers/${customerId}/portal-users`;
    const byKey = await integrator()("POST", path, { email: emailOf("k"), name: "K" }, key("k"));
    expect(byKey.status).toBe(403);
    expect((await integrator()("GET", path)).status).toBe(403);
    const bad = await rep()("POST", path, { email: "not-an-email", name: "" }, key("bad"));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "email",
      "name",
    ]);
    const unknown = "acc_01HZZZZZZZZZZZZZZZZZZZZZZZ";
    expect((await invite(emailOf("nobody"), "N", key("u"), unknown)).status).toBe(404);
    expect((await rep()("GET", `/v1/customers/${unknown}/portal-users`)).status).toBe(404);
  });

  test("an e-mail another customer's portal user logs in with is email-taken (409)", async () => {
    const email = emailOf("taken");
    expect((await invite(email)).status).toBe(201);
    const other = await integrator()("POST", "/v1/customers", {
      name: `Other clinic ${stamp}`,
      residency: "cn",
    });
    const taken = await invite(email.toUpperCase(), "Someone", key("t"), other.body.id);
    expect(taken.status).toBe(409);
    expect(taken.body.type).toBe("urn:lifeline:problem:email-taken");
  });

  test("inviting the same e-mail again is the same user with a new code (200); the first code is dead", async () => {
    const email = emailOf("again");
    const first = await invite(email);
    const second = await invite(email);
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.invitation.code).not.toBe(first.body.invitation.code);
    expect((await accept(first.body.invitation.code, "first-code-password")).status).toBe(404);
    expect((await accept(second.body.invitation.code, "second-code-password")).status).toBe(204);
    expect((await portalLogin(email, "second-code-password")).status).toBe(200);
  });
});

describe("accepting and logging in", () => {
  test("[LF3] the accepted user logs in in cn-east at once and in cn-south once the account replicated", async () => {
    const user = await activeUser("both-regions");
    const listed = await rep()("GET", `/v1/customers/${customerId}/portal-users/${user.id}`);
    expect(listed.body).toMatchObject({ status: "active", invitationExpiresAt: null });
    expect(listed.body.activatedAt).not.toBeNull();
    const inSouth = await eventually(async () => {
      const r = await portalLogin(user.email, user.password, () => south);
      return r.status === 200 ? r : undefined;
    }, 15_000);
    expect(inSouth.body.user).toMatchObject({ id: user.id, accountId: customerId });
    expect((await portal(inSouth.body.token, () => south)("GET", "/v1/portal/me")).status).toBe(
      200,
    );
  });

  test("a wrong password is 401; the code cannot be used twice; an unknown code is 404", async () => {
    const email = emailOf("once");
    const invited = await invite(email);
    const code = invited.body.invitation.code as string;
    expect((await accept(code, "short")).status).toBe(400);
    expect((await accept(code, "the-first-password")).status).toBe(204);
    expect((await portalLogin(email, "a-wrong-password")).status).toBe(401);
    const again = await accept(code, "another-password-1");
    expect(again.status).toBe(404);
    expect(again.body.type).toBe("urn:lifeline:problem:invitation-not-found");
    expect((await portalLogin(email, "another-password-1")).status).toBe(401);
    expect((await portalLogin(email, "the-first-password")).status).toBe(200);
    expect((await accept("A".repeat(43), "whatever-password")).status).toBe(404);
  });
});

describe("[portal-isolation] realms do not mix", () => {
  test("a portal session is refused by every staff route; staff credentials by the portal's", async () => {
    const user = await activeUser("realms");
    const asPortal = portal(user.token);
    for (const path of ["/v1/customers", "/v1/admin/state-hash", "/v1/insights/rules"])
      expect((await asPortal("GET", path)).status, path).toBe(403);
    expect(
      (
        await asPortal("POST", `/v1/customers/${customerId}/portal-users`, {
          email: emailOf("x"),
          name: "X",
        })
      ).status,
    ).toBe(403);
    // Every bearer route of the published API outside /v1/portal: 401 or 403, never served.
    const doc = (await anonymous()("GET", "/v1/openapi.json")).body;
    const served: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown[] }>>,
    )) {
      if (path.startsWith("/v1/portal/")) continue;
      for (const [method, op] of Object.entries(ops)) {
        if (!op.security?.length) continue;
        const concrete = path.replace(/\{[^}]+\}/g, "x");
        const body = method === "get" || method === "delete" ? undefined : {};
        const r = await asPortal(method.toUpperCase(), concrete, body);
        checked++;
        if (r.status !== 401 && r.status !== 403) served.push(`${method} ${path}: ${r.status}`);
      }
    }
    expect(served).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    // /v1/portal/me is where a portal session goes; a rep's session and an API key are 403.
    expect((await asPortal("GET", "/v1/portal/me")).status).toBe(200);
    expect((await rep()("GET", "/v1/portal/me")).status).toBe(403);
    expect((await integrator()("GET", "/v1/portal/me")).status).toBe(403);
  });
});

describe("disabling", () => {
  test("a rep cannot disable (403); an admin can: the user's logins and sessions end, in both regions; enabled again, they log in", async () => {
    const user = await activeUser("disabled");
    await eventually(async () => {
      const r = await portalLogin(user.email, user.password, () => south);
      return r.status === 200 ? r : undefined;
    }, 15_000);
    const path = `/v1/customers/${customerId}/portal-users/${user.id}/disable`;
    expect((await rep()("POST", path, {}, key("d"))).status).toBe(403);
    const disabled = await admin()("POST", path, {}, key("d"));
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: user.id, status: "disabled" });
    expect(
      (await admin()("POST", path, { disabled: true }, key("d"))).headers.get("lifeline-hlc"),
    ).toBe(disabled.headers.get("lifeline-hlc"));
    expect((await portalLogin(user.email, user.password)).status).toBe(401);
    expect((await portal(user.token)("GET", "/v1/portal/me")).status).toBe(401);
    await eventually(async () => {
      const r = await portalLogin(user.email, user.password, () => south);
      return r.status === 401 ? r : undefined;
    }, 15_000);
    // Re-inviting a disabled user is refused until they are enabled again.
    expect((await invite(user.email)).status).toBe(409);
    const enabled = await admin()("POST", path, { disabled: false }, key("e"));
    expect(enabled.body.status).toBe("active");
    expect((await portalLogin(user.email, user.password)).status).toBe(200);
    expect(
      (
        await admin()(
          "POST",
          `/v1/customers/${customerId}/portal-users/pus_01HZZZZZZZZZZZZZZZZZZZZZZZ/disable`,
          {},
          key("u"),
        )
      ).status,
    ).toBe(404);
  });
});

describe("[LF7] audit", () => {
  test("every invitation, acceptance and disable is a portal-user entry without a code, a hash or an e-mail", async () => {
    const email = emailOf("audited");
    const invited = await invite(email);
    const code = invited.body.invitation.code as string;
    expect((await accept(code, "audited-password")).status).toBe(204);
    const path = `/v1/customers/${customerId}/portal-users/${invited.body.user.id}/disable`;
    expect((await admin()("POST", path, {}, key("d"))).status).toBe(200);
    const entries = await admin()("GET", "/v1/audit/entries?kind=portal-user&limit=200");
    expect(entries.status).toBe(200);
    const mine = entries.body.entries.filter(
      (e: { detail: { userId: string } }) => e.detail.userId === invited.body.user.id,
    );
    expect(mine.map((e: { detail: { action: string } }) => e.detail.action)).toEqual([
      "invited",
      "activated",
      "disabled",
    ]);
    expect(mine[1].detail.by).toBe(invited.body.user.id);
    const text = JSON.stringify(entries.body);
    for (const secret of [code, sha256(code), email]) expect(text).not.toContain(secret);
  });
});

// Last: what this file sent through the test client, against the published document.
describe("[contract] this file's traffic against /v1/openapi.json", () => {
  test("[contract] every answer validates against its documented status, body and headers", async () => {
    const doc = (await anonymous()("GET", "/v1/openapi.json")).body as OpenApiDoc;
    // The probe of every staff route with a portal session sends made-up ids and bodies:
    // only what this file meant to send is checked.
    const exchanges = recordedExchanges().filter(
      (e) => e.target.includes("/portal-users") || e.target.startsWith("/v1/portal/auth"),
    );
    expect(exchanges.some((e) => e.target.endsWith("/disable"))).toBe(true);
    expect(exchanges.flatMap((e) => responseIssues(doc, e))).toEqual([]);
  });
});
