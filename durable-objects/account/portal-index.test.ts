// The region's login index of portal users (DirectoryDO) is fed by the AccountDO: every
// portal user an applied event touches (written here or received from a peer) is queued in
// the account's own storage and written to the index as its merged state, only inside the
// account's jurisdiction and only with its e-mail. A failed write is never lost: the user
// stays queued until the index answered for the state that was read, retried with backoff
// by the alarm, a bounded batch at a time [LF1].
import { afterEach, describe, expect, test } from "vitest";
import {
  accountIdFor,
  type Command,
  CustomerCreate,
  fingerprint,
  type PortalUserLogin,
  portalUserIdFor,
  sha256Hex,
} from "../../core/index.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import { AccountEngine, type EngineOptions, PORTAL_SYNC_BATCH } from "./engine.ts";

const TENANT = "ten_demo";
const ID_KEY = "cn-account-id-key-for-tests";
const accountId = accountIdFor(TENANT, { kind: "taxId", taxId: "91440300MA5FXXXX1X", key: ID_KEY });
const ANNA = portalUserIdFor(accountId, "anna@example.cn", ID_KEY);
const clock = { now: 1_800_000_000_000 };
const stores: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function engine(region = "cn-east", options: Partial<EngineOptions> = {}) {
  const store = openLibsqlStore();
  stores.push(store);
  return new AccountEngine(store, {
    region,
    jurisdiction: region.startsWith("eu") ? "eu" : "cn",
    accountIdKey: ID_KEY,
    now: () => clock.now,
    random: () => 1,
    ...options,
  });
}

let keys = 0;
function run(e: AccountEngine, command: Command) {
  const key = `k${keys++}`;
  const result = e.execute({
    tenantId: TENANT,
    accountId,
    idempotencyKey: key,
    fingerprint: fingerprint("POST", "/x", key),
    actor: { kind: "user", id: "usr_rep" },
    command,
  });
  if (result.kind !== "response") throw new Error(`refused: ${JSON.stringify(result)}`);
  return result;
}

const customer: Command = {
  type: "customer.create",
  input: CustomerCreate.parse({ name: "深圳客户", taxId: "91440300MA5FXXXX1X", residency: "cn" }),
};
const invite = (email: string, n = 1): Command => ({
  type: "portal-user.invite",
  userId: portalUserIdFor(accountId, email, ID_KEY),
  email,
  name: "Anna",
  invitationHash: sha256Hex(`code-${n}`),
  invitationExpiresAt: new Date(clock.now + 86_400_000).toISOString(),
});
const activate: Command = {
  type: "portal-user.activate",
  userId: ANNA,
  invitationHash: sha256Hex("code-1"),
  passwordHash: "pbkdf2-sha256$1$c2FsdA$aGFzaA",
};

/** A login index that records what it is given (and can be made to fail). */
function index() {
  const rows = new Map<string, PortalUserLogin>();
  let failing = false;
  return {
    rows,
    fail(on: boolean) {
      failing = on;
    },
    sink: async (login: PortalUserLogin) => {
      await Promise.resolve();
      if (failing) throw new Error("directory unreachable");
      rows.set(login.id, login);
    },
  };
}

describe("[LF1] the login index is fed from the account", () => {
  test("a portal user's write is queued and written as its merged state; nothing is left queued", async () => {
    const east = engine();
    const ix = index();
    run(east, customer);
    run(east, invite("anna@example.cn"));
    expect(east.portalSyncPending().map((p) => p.userId)).toEqual([ANNA]);
    expect(await east.syncPortalUsers(ix.sink)).toEqual({ synced: 1, failed: 0 });
    expect(ix.rows.get(ANNA)).toMatchObject({
      accountId,
      email: "anna@example.cn",
      passwordHash: null,
      invitationHash: sha256Hex("code-1"),
      disabled: false,
    });
    expect(east.portalSyncPending()).toEqual([]);
    run(east, activate);
    await east.syncPortalUsers(ix.sink);
    expect(ix.rows.get(ANNA)).toMatchObject({
      passwordHash: "pbkdf2-sha256$1$c2FsdA$aGFzaA",
      invitationHash: null,
    });
  });

  test("a failed write stays queued, is due again after a backoff (the alarm is armed for it) and is written by the drain", async () => {
    const east = engine();
    const ix = index();
    run(east, customer);
    run(east, invite("anna@example.cn"));
    ix.fail(true);
    expect(await east.syncPortalUsers(ix.sink)).toEqual({ synced: 0, failed: 1 });
    expect(east.portalSyncPending()).toEqual([
      { userId: ANNA, attempts: 1, lastError: "directory unreachable" },
    ]);
    // Not due before its backoff: a drain now does not try it again.
    const projection = async () => {};
    await east.drainOutbox({ projection, portal: ix.sink });
    expect(east.portalSyncPending()[0]!.attempts).toBe(1);
    const next = east.outboxStatus().nextAlarmMs;
    expect(next).toBeGreaterThan(clock.now);
    clock.now = next!;
    await east.drainOutbox({ projection, portal: ix.sink });
    expect(east.portalSyncPending()[0]!.attempts).toBe(2);
    ix.fail(false);
    clock.now = east.outboxStatus().nextAlarmMs!;
    await east.drainOutbox({ projection, portal: ix.sink });
    expect(east.portalSyncPending()).toEqual([]);
    expect(ix.rows.get(ANNA)?.email).toBe("anna@example.cn");
  });

  test("a user changed while its write is in flight stays queued, and the newer state is written next", async () => {
    const east = engine();
    const ix = index();
    run(east, customer);
    run(east, invite("anna@example.cn"));
    let changed = false;
    const racing = async (login: PortalUserLogin) => {
      if (!changed) {
        changed = true;
        run(east, activate); // arrives while the index is being written
      }
      await ix.sink(login);
    };
    await east.syncPortalUsers(racing);
    expect(ix.rows.get(ANNA)?.passwordHash).toBeNull();
    expect(east.portalSyncPending().map((p) => p.userId)).toEqual([ANNA]);
    await east.syncPortalUsers(racing);
    expect(ix.rows.get(ANNA)?.passwordHash).toBe("pbkdf2-sha256$1$c2FsdA$aGFzaA");
    expect(east.portalSyncPending()).toEqual([]);
  });

  test("syncs run one at a time, so an older state never lands after a newer one", async () => {
    const east = engine();
    run(east, customer);
    run(east, invite("anna@example.cn"));
    let inFlight = 0;
    let most = 0;
    const slow = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    };
    const first = east.syncPortalUsers(slow);
    run(east, activate);
    await Promise.all([first, east.syncPortalUsers(slow)]);
    expect(most).toBe(1);
    expect(east.portalSyncPending()).toEqual([]);
  });

  test("at most PORTAL_SYNC_BATCH users per sync; the rest are due at once for the next", async () => {
    const east = engine();
    const ix = index();
    run(east, customer);
    for (let i = 0; i < PORTAL_SYNC_BATCH + 3; i++) run(east, invite(`u${i}@example.cn`, i));
    expect(await east.syncPortalUsers(ix.sink)).toEqual({ synced: PORTAL_SYNC_BATCH, failed: 0 });
    expect(east.outboxStatus().nextAlarmMs).toBeLessThanOrEqual(clock.now);
    expect(await east.syncPortalUsers(ix.sink)).toEqual({ synced: 3, failed: 0 });
    expect(ix.rows.size).toBe(PORTAL_SYNC_BATCH + 3);
  });
});

describe("[LF4] only a region of the account's jurisdiction indexes its portal users", () => {
  test("events from a peer of the jurisdiction are indexed there; masked copies abroad never reach an index", async () => {
    const east = engine("cn-east");
    run(east, customer);
    run(east, invite("anna@example.cn"));
    run(east, activate);
    const south = engine("cn-south");
    const southIndex = index();
    south.applyRemote(TENANT, accountId, east.journal());
    await south.syncPortalUsers(southIndex.sink);
    expect(southIndex.rows.get(ANNA)?.passwordHash).toBe("pbkdf2-sha256$1$c2FsdA$aGFzaA");

    const eu = engine("eu-central");
    const euIndex = index();
    const masked = east.journal().map((e) => {
      if (e.data.type !== "portal-user.invited" && e.data.type !== "portal-user.activated")
        return e;
      const { type, userId } = e.data;
      const data =
        e.data.type === "portal-user.invited"
          ? { type, userId, invitationExpiresAt: e.data.invitationExpiresAt }
          : { type, userId };
      return { ...e, data } as typeof e;
    });
    eu.applyRemote(TENANT, accountId, masked);
    expect(eu.portalSyncPending().length).toBe(1);
    expect(await eu.syncPortalUsers(euIndex.sink)).toEqual({ synced: 1, failed: 0 });
    expect(euIndex.rows.size).toBe(0);
    expect(eu.portalSyncPending()).toEqual([]);
    // Even a full copy is not indexed abroad: the account lives in cn.
    const eu2 = engine("eu-central");
    eu2.applyRemote(TENANT, accountId, east.journal());
    await eu2.syncPortalUsers(euIndex.sink);
    expect(euIndex.rows.size).toBe(0);
  });

  test("a portal user that arrived before its customer is indexed once the customer arrives", async () => {
    const east = engine("cn-east");
    run(east, customer);
    run(east, invite("anna@example.cn"));
    const [created, invited] = east.journal();
    const south = engine("cn-south");
    const ix = index();
    south.applyRemote(TENANT, accountId, [invited!]);
    await south.syncPortalUsers(ix.sink);
    expect(ix.rows.size).toBe(0);
    south.applyRemote(TENANT, accountId, [created!]);
    expect(south.portalSyncPending().map((p) => p.userId)).toEqual([ANNA]);
    await south.syncPortalUsers(ix.sink);
    expect(ix.rows.get(ANNA)?.email).toBe("anna@example.cn");
  });
});
