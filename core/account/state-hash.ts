// The state hash that makes convergence checkable [LF3]: sha256 of the canonical JSON of
// the whole account state. The state is a pure function of the set of events applied
// (evolve is a join), so replicas with the same events hash the same, whatever the order.
import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import type { AccountState } from "./state.ts";

/**
 * Bumped when the state's shape changes, so hashes of different shapes never compare equal.
 * Still v1: what was added since (the `owner` register, files attached to payments and
 * signatures, a contract's portal terms, milestones and invoices, the account's service and
 * change requests, its portal users) is absent while empty, so a state without it hashes as it always did,
 * and a state with it differs from every state without it anyway.
 */
export const STATE_HASH_VERSION = "lifeline.account-state.v1";

export function stateHash(state: AccountState): string {
  return sha256Hex(canonicalJson({ v: STATE_HASH_VERSION, state }));
}
