// Events as a region would journal them, for tests that play a peer: commands run through
// core's decide/evolve, stamped with the origin's HLC and the id rule receivers check.
import {
  type AccountState,
  type Command,
  CustomerCreate,
  type DomainEvent,
  decide,
  emptyAccount,
  encodeHlc,
  evolve,
  type Target,
} from "../../core/index.ts";

/** The account id key these journals are derived with (a cn region's, in tests). */
export const TEST_ACCOUNT_ID_KEY = "cn-account-id-key-for-tests";

/** A CN-resident customer with every kind of personal data masking must hide abroad. */
export const CN_TAX_ID = "91310000MA1FL00T3X";
export const cnCustomerCreate = () =>
  ({
    type: "customer.create",
    input: CustomerCreate.parse({
      name: "上海示例医疗器械有限公司",
      taxId: CN_TAX_ID,
      residency: "cn",
      contacts: [{ name: "张三", phone: "13800138000", email: "zhang.san@example.cn" }],
    }),
  }) satisfies Command;

export type Journal = { events: DomainEvent[]; targets: Target[]; state: AccountState };

/** Runs `commands` on a fresh account in `origin`, one millisecond per event from `startMs`. */
export function journalOf(
  origin: string,
  tenantId: string,
  accountId: string,
  commands: ReadonlyArray<Command | ((targets: Target[]) => Command)>,
  startMs = Date.now(),
): Journal {
  let state = emptyAccount(tenantId, accountId);
  const events: DomainEvent[] = [];
  const targets: Target[] = [];
  for (const c of commands) {
    const command = typeof c === "function" ? c(targets) : c;
    const d = decide(state, command, { accountIdKey: TEST_ACCOUNT_ID_KEY });
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    targets.push(d.target);
    for (const data of d.events) {
      const hlc = encodeHlc({ wallMs: startMs + events.length, counter: 0, region: origin });
      const event: DomainEvent = {
        v: 1,
        id: `evt_${accountId.slice(4)}_${hlc}`,
        tenantId,
        accountId,
        hlc,
        region: origin,
        actor: { kind: "system", id: "test" },
        data,
      };
      events.push(event);
      state = evolve(state, event);
    }
  }
  return { events, targets, state };
}
