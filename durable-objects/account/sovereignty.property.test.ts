// [LF4] Jurisdiction before anything else, as a property: three regions (cn-east, cn-south,
// eu-central) run the real AccountEngine over SQLite, send with core's outgoingBatch and
// receive with the real receiver checks (replication/receive.ts checkEvents). Batches are
// delivered in any order, forwarded on, and eu-central is asked to write to the CN account
// at arbitrary moments. Whatever the order, eu-central never stores a restricted field of
// the CN-resident account unmasked (nor a portal user's e-mail, name or hashes, nor a
// call's sentiment score or transcript hash), and never journals a write of its own for it.
import fc from "fast-check";
import { afterEach, expect, test } from "vitest";
import {
  accountIdFor,
  ChangeAnswer,
  ChangeRequestFile,
  ChecklistSet,
  type Command,
  CustomerCreate,
  DEFAULT_FIELD_POLICY,
  type DomainEvent,
  fingerprint,
  MilestoneSet,
  type OutgoingBatch,
  outgoingBatch,
  PaymentCreate,
  portalUserIdFor,
  ServiceRequestOpen,
  SignatureCreate,
  sha256Hex,
  unmaskedFields,
} from "../../core/index.ts";
import { checkEvents } from "../../replication/receive.ts";
import { CN_TAX_ID, cnCustomerCreate, TEST_ACCOUNT_ID_KEY } from "../../test/support/journal.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import { AccountEngine } from "./engine.ts";

const REGIONS = [
  { region: "cn-east", jurisdiction: "cn", url: "http://127.0.0.1:1" },
  { region: "cn-south", jurisdiction: "cn", url: "http://127.0.0.1:2" },
  { region: "eu-central", jurisdiction: "eu", url: "http://127.0.0.1:3" },
];
const J = new Map(REGIONS.map((r) => [r.region, r.jurisdiction]));
const jurisdictionOf = (r: string) => J.get(r) ?? null;
const TENANT = "ten_demo";
const TAX = CN_TAX_ID;
const accountId = accountIdFor(TENANT, { kind: "taxId", taxId: TAX, key: TEST_ACCOUNT_ID_KEY });
const HASH = "e".repeat(64);
/** Free text of the delivery and service facts: a contact's name and phone, an address. */
const FREE = {
  address: "深圳市南山区科技园路1号",
  contact: "赵六 13912345678",
  summary: "请改送到新仓库,联系赵六",
  note: "钱七说要加急",
};
/** A person of the customer invited to the portal: e-mail, name and the hashes of the secrets. */
const PORTAL = {
  email: "zhao.liu@example.cn",
  name: "赵六",
  invitationHash: sha256Hex("invitation-code-of-zhao-liu"),
  passwordHash: "pbkdf2-sha256$100000$c2FsdC16aGFv$aGFzaC16aGFv",
};
const PORTAL_USER = portalUserIdFor(accountId, PORTAL.email, TEST_ACCOUNT_ID_KEY);
/** What insights inferred of a call with the customer: its score never leaves (mask.ts). */
const CALL = {
  insightId: `ins_cn-east_${"5".repeat(32)}`,
  sentiment: {
    at: "2027-01-15T08:00:00.000Z",
    score: -0.987654,
    utterances: 7,
    transcriptHash: "5e".repeat(32),
  },
};
const RAW = [
  ...Object.values(PORTAL),
  "13800138000",
  "zhang.san@example.cn",
  "张三",
  "李四",
  "wang@example.cn",
  TAX,
  ...Object.values(FREE),
  "13912345678",
  String(CALL.sentiment.score),
  CALL.sentiment.transcriptHash,
];

const stores: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function region(name: string, clock: { now: number }) {
  const store = openLibsqlStore();
  stores.push(store);
  return new AccountEngine(store, {
    region: name,
    jurisdiction: J.get(name)!,
    accountIdKey: J.get(name) === "cn" ? TEST_ACCOUNT_ID_KEY : "eu-account-id-key-for-tests",
    now: () => clock.now,
    random: () => 0.5,
    peers: REGIONS.map((r) => r.region).filter((r) => r !== name),
  });
}

let keys = 0;
function run(engine: AccountEngine, command: Command) {
  const key = `k${keys++}`;
  return engine.execute({
    tenantId: TENANT,
    accountId,
    idempotencyKey: key,
    fingerprint: fingerprint("POST", `/x/${key}`, command),
    actor: { kind: "user", id: "usr_rep" },
    command,
  });
}

/** What eu-central is asked to do, at arbitrary moments: every write names raw personal data. */
function euAttempt(i: number, contractId: string): Command {
  switch (i % 7) {
    case 6:
      return { type: "call.record-sentiment", ...CALL };
    case 5:
      return {
        type: "portal-user.invite",
        userId: PORTAL_USER,
        email: PORTAL.email,
        name: PORTAL.name,
        invitationHash: PORTAL.invitationHash,
        invitationExpiresAt: "2099-01-01T00:00:00.000Z",
      };
    case 3:
      return {
        type: "change.file",
        seed: `eu-${i}`,
        input: ChangeRequestFile.parse({
          contractId,
          kind: "contact",
          summary: FREE.summary,
          requested: { contact: FREE.contact },
        }),
      };
    case 4:
      return {
        type: "service.open",
        seed: `eu-${i}`,
        input: ServiceRequestOpen.parse({ title: FREE.contact, internalNote: FREE.note }),
      };
    case 0:
      return {
        type: "contract.sign",
        contractId,
        input: SignatureCreate.parse({
          party: "vendor",
          signer: { name: "王五", email: "wang@example.cn" },
          documentHash: HASH,
        }),
      };
    case 1:
      return {
        type: "payment.confirm",
        input: PaymentCreate.parse({
          contractId,
          reference: `EU-${i}`,
          amount: { value: 1, currency: "CNY" },
        }),
      };
    default:
      return {
        type: "customer.create",
        input: CustomerCreate.parse({ name: "X", taxId: TAX, residency: "cn" }),
      };
  }
}

test("[LF4] in any delivery order, no region stores unmasked personal data of a foreign-resident account", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(), { minLength: 40, maxLength: 80 }),
      fc.array(fc.boolean(), { minLength: 40, maxLength: 80 }),
      async (choices, euTries) => {
        const clock = { now: 1_800_000_000_000 };
        const engines = new Map(REGIONS.map((r) => [r.region, region(r.region, clock)]));
        const east = engines.get("cn-east")!;
        // cn-east writes the account: customer with contacts, contract drafted, sent, signed.
        const created = run(east, cnCustomerCreate());
        expect(created.kind).toBe("response");
        const drafted = run(east, {
          type: "contract.create",
          seed: "s1",
          input: {
            customerId: accountId,
            title: "CT",
            amount: { value: 9, currency: "CNY" },
            documentHash: HASH,
          },
        });
        const contractId =
          drafted.kind === "response"
            ? (JSON.parse(drafted.outcome.body) as { id: string }).id
            : "";
        run(east, { type: "contract.send", contractId, documentHash: HASH });
        run(east, {
          type: "contract.sign",
          contractId,
          input: SignatureCreate.parse({
            party: "customer",
            signer: { name: "李四", email: "li.si@example.cn" },
            documentHash: HASH,
          }),
        });
        // And the delivery and service facts, whose free text names people and places.
        run(east, {
          type: "delivery.set-milestone",
          contractId,
          milestoneId: "lot-1",
          input: MilestoneSet.parse({
            name: "First lot",
            destination: "深圳仓",
            plannedDate: "2026-04-01",
            supplier: "Acme",
            internalNote: FREE.note,
          }),
        });
        run(east, {
          type: "service.open",
          seed: "sr-1",
          input: ServiceRequestOpen.parse({
            contractId,
            title: FREE.contact,
            internalNote: FREE.note,
          }),
        });
        const filed = run(east, {
          type: "change.file",
          seed: "cr-1",
          input: ChangeRequestFile.parse({
            contractId,
            kind: "address",
            summary: FREE.summary,
            requested: { address: FREE.address, contact: FREE.contact },
          }),
        });
        const changeRequestId =
          filed.kind === "response" ? (JSON.parse(filed.outcome.body) as { id: string }).id : "";
        run(east, {
          type: "change.set-checklist",
          changeRequestId,
          department: "supply-chain",
          input: ChecklistSet.parse({ status: "impact", note: FREE.note }),
        });
        run(east, {
          type: "change.answer",
          changeRequestId,
          input: ChangeAnswer.parse({ feasible: true, message: `${FREE.contact} ${FREE.address}` }),
        });
        // A person of the customer invited to the portal, who accepts with a password.
        run(east, {
          type: "portal-user.invite",
          userId: PORTAL_USER,
          email: PORTAL.email,
          name: PORTAL.name,
          invitationHash: PORTAL.invitationHash,
          invitationExpiresAt: new Date(clock.now + 86_400_000).toISOString(),
        });
        run(east, {
          type: "portal-user.activate",
          userId: PORTAL_USER,
          invitationHash: PORTAL.invitationHash,
          passwordHash: PORTAL.passwordHash,
        });
        // Noted in the background: the user's day in the portal, and a call's sentiment.
        const note = (command: Command) =>
          east.note({ tenantId: TENANT, accountId, actor: { kind: "system", id: "t" }, command });
        expect(note({ type: "portal-user.note-active", userId: PORTAL_USER }).kind).toBe(
          "recorded",
        );
        expect(note({ type: "call.record-sentiment", ...CALL }).kind).toBe("recorded");
        expect(east.journal().map((e) => e.data.type)).toEqual(
          expect.arrayContaining([
            "change.answered",
            "portal-user.activated",
            "portal-user.active",
            "call.sentiment-recorded",
          ]),
        );
        // One batch per event and peer, so the order of arrival is free.
        const queue: OutgoingBatch[] = [];
        const send = (from: string, events: DomainEvent[]) => {
          for (const to of REGIONS.map((r) => r.region).filter((r) => r !== from)) {
            for (const e of events) {
              const { batch } = outgoingBatch({
                from,
                to,
                sentAt: new Date(clock.now).toISOString(),
                events: [e],
                jurisdictionOf,
                residency: engines.get(from)!.current()?.customer?.residency ?? null,
                policy: DEFAULT_FIELD_POLICY,
                hashKey: `${J.get(from)}-masking-key-0123456789abcdef`,
              });
              if (batch) queue.push(batch);
            }
          }
        };
        send("cn-east", east.journal());
        let step = 0;
        while (queue.length > 0 && step < 200) {
          const pick = choices[step % choices.length]! % queue.length;
          const batch = queue.splice(pick, 1)[0]!;
          const receiver = engines.get(batch.to)!;
          const env = {
            REGION: batch.to,
            REGIONS: JSON.stringify(REGIONS),
            JURISDICTION: J.get(batch.to)!,
          };
          const { valid } = await checkEvents(env, batch, {
            tenants: async () => new Map([[TENANT, DEFAULT_FIELD_POLICY]]),
            nowMs: clock.now,
          });
          const own = J.get(batch.to);
          const before = new Set(receiver.journal().map((e) => e.id));
          if (valid.length > 0)
            receiver.applyRemote(TENANT, accountId, valid, (e) =>
              jurisdictionOf(e.region) === own
                ? REGIONS.map((r) => r.region).filter((r) => r !== batch.to && r !== batch.from)
                : [],
            );
          // The receiver's forwards go out like its outbox would send them.
          const fresh = receiver.journal().filter((e) => !before.has(e.id));
          if (fresh.length > 0 && batch.to === "cn-south") send("cn-south", fresh);
          if (euTries[step % euTries.length]) {
            const verdict = run(engines.get("eu-central")!, euAttempt(step, contractId));
            expect(["misdirected", "jurisdiction-unknown", "rejected"]).toContain(verdict.kind);
          }
          const eu = engines.get("eu-central")!.journal();
          for (const e of eu) {
            expect(e.region, "eu-central journaled a write of its own").not.toBe("eu-central");
            expect(unmaskedFields(e, DEFAULT_FIELD_POLICY)).toEqual([]);
          }
          const text = JSON.stringify(eu);
          for (const raw of RAW) expect(text.includes(raw), `eu-central holds ${raw}`).toBe(false);
          clock.now += 10;
          step++;
        }
        // Not vacuous: eu-central did get the facts, masked.
        const held = engines
          .get("eu-central")!
          .journal()
          .map((e) => e.data.type);
        expect(held).toEqual(
          expect.arrayContaining([
            "change.filed",
            "change.answered",
            "portal-user.invited",
            "portal-user.activated",
            "portal-user.active",
            "call.sentiment-recorded",
          ]),
        );
        // And cn-south, of the account's jurisdiction, holds the portal user and the call whole.
        const south = JSON.stringify(engines.get("cn-south")!.journal());
        expect(south).toContain(PORTAL.passwordHash);
        expect(south).toContain(String(CALL.sentiment.score));
        expect(south).toContain(CALL.sentiment.transcriptHash);
        for (const s of stores.splice(0)) s.close();
      },
    ),
    { numRuns: 40, seed: 20261203 },
  );
});
