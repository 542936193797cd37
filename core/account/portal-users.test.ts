// Customer portal users as account facts (DESIGN §11, §12): who may be invited, which
// code can be accepted, what staff see (never a hash) and what the login index is given.
// Merged as LWW registers per user: a later invitation replaces the pending one, the
// latest activation holds the password and consumes the invitation it names [LF3].
import { describe, expect, test } from "vitest";
import { sha256Hex } from "../crypto/sha256.ts";
import type { DomainEvent } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor, PORTAL_USER_ID, portalUserIdFor } from "../ids.ts";
import { CustomerCreate, PortalUserView } from "../schemas.ts";
import { type Command, type Decision, decide } from "./decide.ts";
import { evolve, replay } from "./evolve.ts";
import { type AccountState, emptyAccount, openInvitation } from "./state.ts";
import { stateHash } from "./state-hash.ts";
import { envelopesFor } from "./test-events.ts";
import { portalUserLogin, portalUserView, portalUserViews } from "./view.ts";

const TENANT = "ten_demo";
const KEY = "cn-account-id-key-for-tests";
const ACCOUNT = accountIdFor(TENANT, { kind: "client", ulid: "01HZ0000000000000000000000" });
const T0 = Date.parse("2026-03-01T00:00:00.000Z");
const DAY = 86_400_000;
const ANNA = portalUserIdFor(ACCOUNT, "anna@example.cn", KEY);
const BO = portalUserIdFor(ACCOUNT, "bo@example.cn", KEY);
const code = (n: number) => sha256Hex(`code-${n}`);
const PASSWORD = "pbkdf2-sha256$100000$c2FsdA$aGFzaA";

const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "user", id: "usr_rep" });

/** A region of the account's jurisdiction: decides at `now`, journals at the next HLC. */
class Region {
  state: AccountState = emptyAccount(TENANT, ACCOUNT);
  readonly events: DomainEvent[] = [];
  now = T0;
  constructor(private readonly region = "cn-east") {}

  run(command: Command): Decision {
    const d = decide(this.state, command, { nowMs: this.now });
    if (d.ok)
      for (const data of d.events) {
        this.now += 1;
        const e = envelope(encodeHlc({ wallMs: this.now, counter: 0, region: this.region }), data);
        this.events.push(e);
        this.state = evolve(this.state, e);
      }
    return d;
  }
}

function withCustomer(region = "cn-east"): Region {
  const r = new Region(region);
  r.run({
    type: "customer.create",
    input: CustomerCreate.parse({ name: "Clinic", residency: "cn" }),
  });
  return r;
}

const invite = (userId: string, email: string, n: number, expiresAt = T0 + 7 * DAY): Command => ({
  type: "portal-user.invite",
  userId,
  email,
  name: "Anna Li",
  invitationHash: code(n),
  invitationExpiresAt: new Date(expiresAt).toISOString(),
});
const activate = (userId: string, n: number, passwordHash = PASSWORD): Command => ({
  type: "portal-user.activate",
  userId,
  invitationHash: code(n),
  passwordHash,
});

describe("portal user ids", () => {
  test("[LF2] one e-mail of one account is one user, however it is typed; another account or key, another id", () => {
    expect(ANNA).toMatch(PORTAL_USER_ID);
    expect(portalUserIdFor(ACCOUNT, " Anna@Example.CN ", KEY)).toBe(ANNA);
    const other = accountIdFor(TENANT, { kind: "client", ulid: "01HZ0000000000000000000001" });
    expect(portalUserIdFor(other, "anna@example.cn", KEY)).not.toBe(ANNA);
    expect(portalUserIdFor(ACCOUNT, "anna@example.cn", "eu-account-id-key-for-tests")).not.toBe(
      ANNA,
    );
    expect(() => portalUserIdFor(ACCOUNT, "anna@example.cn", "short")).toThrow(RangeError);
  });
});

describe("inviting", () => {
  test("a customer's person is invited once per e-mail; the e-mail is stored lower-cased", () => {
    const r = withCustomer();
    expect(r.run(invite(ANNA, "Anna@Example.CN", 1))).toMatchObject({
      ok: true,
      created: true,
      target: { kind: "portal-user", id: ANNA },
    });
    expect(portalUserView(r.state, ANNA)).toMatchObject({
      id: ANNA,
      email: "anna@example.cn",
      status: "invited",
      activatedAt: null,
      invitationExpiresAt: new Date(T0 + 7 * DAY).toISOString(),
    });
  });

  test("no customer, no portal user: not found", () => {
    expect(new Region().run(invite(ANNA, "anna@example.cn", 1))).toMatchObject({
      ok: false,
      error: { code: "not-found", entity: "customer" },
    });
  });

  test("another user of the account holding the e-mail is email-taken; the same user is invited again", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    expect(r.run(invite(BO, "ANNA@example.cn", 2))).toMatchObject({
      ok: false,
      error: { code: "email-taken", email: "anna@example.cn", field: "email" },
    });
    const again = r.run(invite(ANNA, "anna@example.cn", 2));
    expect(again).toMatchObject({ ok: true, created: false });
    expect(r.run(invite(ANNA, "other@example.cn", 3))).toMatchObject({
      ok: false,
      error: { code: "invalid-state", field: "email" },
    });
  });

  test("a disabled user is enabled before being invited again", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    r.run({ type: "portal-user.disable", userId: ANNA, disabled: true });
    expect(r.run(invite(ANNA, "anna@example.cn", 2))).toMatchObject({
      ok: false,
      error: { code: "invalid-state" },
    });
    r.run({ type: "portal-user.disable", userId: ANNA, disabled: false });
    expect(r.run(invite(ANNA, "anna@example.cn", 2))).toMatchObject({ ok: true });
  });
});

describe("accepting an invitation", () => {
  test("only the open invitation's code activates, once; the password is the activation's", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    expect(r.run(activate(ANNA, 9))).toMatchObject({
      ok: false,
      error: { code: "not-found", entity: "invitation" },
    });
    expect(r.run(activate(ANNA, 1))).toMatchObject({
      ok: true,
      events: [{ type: "portal-user.activated" }],
    });
    expect(portalUserView(r.state, ANNA)).toMatchObject({
      status: "active",
      invitationExpiresAt: null,
    });
    expect(portalUserLogin(r.state, ANNA)).toMatchObject({
      passwordHash: PASSWORD,
      invitationHash: null,
    });
    // The code is used: it cannot set another password.
    expect(r.run(activate(ANNA, 1, "pbkdf2-sha256$1$eA$eQ"))).toMatchObject({
      ok: false,
      error: { code: "not-found", entity: "invitation" },
    });
  });

  test("an expired invitation cannot be accepted; a new one can", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1, T0 + DAY));
    r.now = T0 + DAY + 1;
    expect(r.run(activate(ANNA, 1))).toMatchObject({ ok: false, error: { code: "not-found" } });
    // Staff still see it pending (and when it expired); the login index keeps it for the 404.
    expect(portalUserView(r.state, ANNA)?.invitationExpiresAt).toBe(
      new Date(T0 + DAY).toISOString(),
    );
    r.run(invite(ANNA, "anna@example.cn", 2, r.now + DAY));
    expect(r.run(activate(ANNA, 2))).toMatchObject({ ok: true });
  });

  test("a disabled user's invitation is not open", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    r.run({ type: "portal-user.disable", userId: ANNA, disabled: true });
    expect(r.run(activate(ANNA, 1))).toMatchObject({ ok: false, error: { code: "not-found" } });
    expect(portalUserView(r.state, ANNA)?.status).toBe("disabled");
    expect(portalUserLogin(r.state, ANNA)).toMatchObject({
      disabled: true,
      invitationHash: code(1),
    });
  });

  test("an unknown user is not found", () => {
    expect(withCustomer().run(activate(ANNA, 1))).toMatchObject({
      ok: false,
      error: { code: "not-found", entity: "portal-user", id: ANNA },
    });
  });

  test("a password reset: inviting an active user again opens a new code and keeps the password until it is used", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    r.run(activate(ANNA, 1));
    r.run(invite(ANNA, "anna@example.cn", 2));
    expect(portalUserView(r.state, ANNA)?.status).toBe("active");
    expect(portalUserLogin(r.state, ANNA)).toMatchObject({
      passwordHash: PASSWORD,
      invitationHash: code(2),
    });
    expect(r.run(activate(ANNA, 1))).toMatchObject({ ok: false });
    r.run(activate(ANNA, 2, "pbkdf2-sha256$1$bmV3$bmV3"));
    expect(portalUserLogin(r.state, ANNA)).toMatchObject({
      passwordHash: "pbkdf2-sha256$1$bmV3$bmV3",
      invitationHash: null,
    });
  });
});

describe("disabling", () => {
  test("setting the flag it has changes nothing; an unknown user is not found", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    expect(r.run({ type: "portal-user.disable", userId: ANNA, disabled: false })).toMatchObject({
      ok: true,
      events: [],
    });
    expect(r.run({ type: "portal-user.disable", userId: ANNA, disabled: true })).toMatchObject({
      ok: true,
      events: [{ type: "portal-user.disabled", disabled: true }],
    });
    expect(r.run({ type: "portal-user.disable", userId: BO, disabled: true })).toMatchObject({
      ok: false,
      error: { code: "not-found", entity: "portal-user" },
    });
  });
});

describe("what staff and the login index see", () => {
  test("the staff view never carries a code's or a password's hash", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    r.run(activate(ANNA, 1));
    r.run(invite(BO, "bo@example.cn", 2));
    const views = portalUserViews(r.state);
    expect(views.map((v) => v.email)).toEqual(["anna@example.cn", "bo@example.cn"]);
    for (const v of views) expect(PortalUserView.strict().parse(v)).toEqual(v);
    const json = JSON.stringify(views);
    for (const secret of [code(1), code(2), PASSWORD]) expect(json).not.toContain(secret);
  });

  test("a copy without e-mails (abroad) has nothing for a login index and no open invitation", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    const masked = r.events.map((e) =>
      e.data.type === "portal-user.invited"
        ? { ...e, data: { type: e.data.type, userId: e.data.userId, invitationExpiresAt: "x" } }
        : e,
    );
    const abroad = replay(emptyAccount(TENANT, ACCOUNT), masked as DomainEvent[]);
    expect(portalUserLogin(abroad, ANNA)).toBeNull();
    expect(portalUserView(abroad, ANNA)).toMatchObject({
      email: null,
      name: null,
      status: "invited",
    });
    expect(openInvitation(abroad.portalUsers![ANNA]!, T0)).toBeNull();
  });

  test("a user whose invitation has not arrived has no view", () => {
    const r = withCustomer();
    r.run(invite(ANNA, "anna@example.cn", 1));
    r.run(activate(ANNA, 1));
    const late = replay(
      emptyAccount(TENANT, ACCOUNT),
      r.events.filter((e) => e.data.type !== "portal-user.invited"),
    );
    expect(portalUserView(late, ANNA)).toBeNull();
    expect(portalUserViews(late)).toEqual([]);
    expect(portalUserLogin(late, ANNA)).toBeNull();
  });
});

describe("[LF3] merging portal users", () => {
  test("concurrent invitations of one e-mail in two regions are one user; the later invitation holds everywhere", () => {
    const east = withCustomer("cn-east");
    const south = new Region("cn-south");
    south.state = east.state;
    south.now = east.now + 5;
    east.run(invite(ANNA, "anna@example.cn", 1));
    south.run(invite(ANNA, "anna@example.cn", 2));
    const a = replay(east.state, south.events);
    const b = replay(south.state, east.events);
    expect(stateHash(a)).toBe(stateHash(b));
    expect(Object.keys(a.portalUsers ?? {})).toEqual([ANNA]);
    expect(portalUserLogin(a, ANNA)?.invitationHash).toBe(code(2));
  });

  test("an activation consumes only the invitation it names: a later invitation from another region stays open", () => {
    const east = withCustomer("cn-east");
    east.run(invite(ANNA, "anna@example.cn", 1));
    const south = new Region("cn-south");
    south.state = east.state;
    south.now = east.now + 5;
    east.run(activate(ANNA, 1));
    south.run(invite(ANNA, "anna@example.cn", 2));
    const merged = replay(east.state, south.events);
    expect(stateHash(merged)).toBe(stateHash(replay(south.state, east.events)));
    expect(portalUserLogin(merged, ANNA)).toMatchObject({
      passwordHash: PASSWORD,
      invitationHash: code(2),
    });
    expect(portalUserView(merged, ANNA)?.status).toBe("active");
  });

  test("an account without portal users hashes as before they existed; one with them differs", () => {
    const r = withCustomer();
    const before = stateHash(r.state);
    expect(r.state).not.toHaveProperty("portalUsers");
    r.run(invite(ANNA, "anna@example.cn", 1));
    expect(stateHash(r.state)).not.toBe(before);
  });
});
