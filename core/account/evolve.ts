// Event application: (state, event) → state, pure. Registers keep the value with the
// greatest HLC and fact sets only grow, so applying an event twice changes nothing.
import type { DomainEvent } from "../events.ts";
import type { AccountState, ContractState, Lww } from "./state.ts";
import { signatureKey } from "./state.ts";

function lww<T>(current: Lww<T>, value: T, hlc: string): Lww<T> {
  return hlc > current.hlc ? { value, hlc } : current;
}

const maxHlc = (a: string, b: string) => (a > b ? a : b);
const minHlc = (a: string, b: string) => (a < b ? a : b);

export function evolve(state: AccountState, event: DomainEvent): AccountState {
  const { hlc, data } = event;
  const version = state.version === null ? hlc : maxHlc(state.version, hlc);
  switch (data.type) {
    case "customer.created": {
      const c = state.customer;
      const customer = c
        ? {
            ...c,
            createdHlc: minHlc(c.createdHlc, hlc),
            updatedHlc: maxHlc(c.updatedHlc, hlc),
            name: lww(c.name, data.name, hlc),
            tier: lww(c.tier, data.tier, hlc),
            contacts: lww(c.contacts, data.contacts, hlc),
          }
        : {
            id: state.accountId,
            createdHlc: hlc,
            updatedHlc: hlc,
            name: { value: data.name, hlc },
            taxId: data.taxId,
            residency: data.residency,
            tier: { value: data.tier, hlc },
            contacts: { value: data.contacts, hlc },
          };
      return { ...state, customer, version };
    }
    case "contract.drafted": {
      const c = state.contracts[data.contractId];
      const contract: ContractState = c
        ? {
            ...c,
            createdHlc: minHlc(c.createdHlc, hlc),
            updatedHlc: maxHlc(c.updatedHlc, hlc),
            title: lww(c.title, data.title, hlc),
            amount: lww(c.amount, data.amount, hlc),
            documentHash: lww(c.documentHash, data.documentHash, hlc),
          }
        : {
            id: data.contractId,
            createdHlc: hlc,
            updatedHlc: hlc,
            title: { value: data.title, hlc },
            amount: { value: data.amount, hlc },
            documentHash: { value: data.documentHash, hlc },
            sent: {},
            signatures: {},
            payments: {},
          };
      return withContract(state, contract, version);
    }
    case "contract.sent":
      return updateContract(state, data.contractId, hlc, version, (c) => ({
        ...c,
        sent: { ...c.sent, [data.documentHash]: minHlc(c.sent[data.documentHash] ?? hlc, hlc) },
      }));
    case "contract.signed":
      return updateContract(state, data.contractId, hlc, version, (c) => {
        const key = signatureKey(data.party, data.documentHash);
        const existing = c.signatures[key];
        if (existing && existing.hlc <= hlc) return c;
        const fact = {
          party: data.party,
          signer: data.signer,
          documentHash: data.documentHash,
          hlc,
        };
        return { ...c, signatures: { ...c.signatures, [key]: fact } };
      });
    case "payment.confirmed":
      return updateContract(state, data.contractId, hlc, version, (c) => {
        const existing = c.payments[data.paymentId];
        if (existing && existing.hlc <= hlc) return c;
        const fact = {
          id: data.paymentId,
          contractId: data.contractId,
          reference: data.reference,
          amount: data.amount,
          receivedAt: data.receivedAt,
          hlc,
        };
        return { ...c, payments: { ...c.payments, [data.paymentId]: fact } };
      });
  }
}

function withContract(state: AccountState, contract: ContractState, version: string): AccountState {
  return { ...state, contracts: { ...state.contracts, [contract.id]: contract }, version };
}

function updateContract(
  state: AccountState,
  contractId: string,
  hlc: string,
  version: string,
  change: (c: ContractState) => ContractState,
): AccountState {
  const c = state.contracts[contractId];
  // A fact about a contract we have not seen drafted cannot be applied locally; the
  // decide step never emits one, and replication (next issue) orders drafts first.
  if (!c) return { ...state, version };
  return withContract(state, { ...change(c), updatedHlc: maxHlc(c.updatedHlc, hlc) }, version);
}

export function replay(initial: AccountState, events: Iterable<DomainEvent>): AccountState {
  let s = initial;
  for (const e of events) s = evolve(s, e);
  return s;
}
