// The outbox (DESIGN §8, after Replicache's pending mutations): every command is written
// to IndexedDB before anything is sent, shown at once as pending, and replayed in order —
// by the page when it is open and online, and by Background Sync where the browser has
// it — until the server gives it a definite outcome: confirmed, rejected with a reason,
// or conflict. A Web Lock keeps the page and the service worker from replaying at once.
//
// Order: commands are sent strictly in `seq` order; one that cannot be sent now (no
// endpoint answers, Retry-After) stops the round so nothing overtakes it. A rejected
// command does not stop the round, but every later command that refers to it is rejected
// too ("depends on a rejected change"), so nothing is sent against a record that never was.
//
// Bounds: at most MAX_PENDING commands and MAX_FILE_BYTES of photos wait at once; past
// that enqueue refuses with QueueFull and the UI tells the rep. A round sends at most
// MAX_PER_ROUND commands.
import type { Answer, Api, Endpoint } from "./api.ts";
import { Unreachable } from "./api.ts";
import {
  type Command,
  type CommandBody,
  classify,
  dependsOnRejected,
  type FileRef,
  type Outcome,
  type ProblemInfo,
  problemOf,
  refsOf,
  retryAfterMs,
  toRequest,
  UnresolvedRef,
} from "./commands.ts";
import { type CachedRecord, db, type StoredFile, setMeta } from "./db.ts";
import { idempotencyKey, ulid } from "./ids.ts";

export const MAX_PENDING = 200;
export const MAX_FILE_BYTES = 40 * 1024 * 1024;
export const MAX_PER_ROUND = 500;

export class QueueFull extends Error {
  constructor(
    readonly reason: "commands" | "photos",
    readonly count: number,
  ) {
    super(`the outbox is full (${reason})`);
  }
}

export type NewFile = { sha256: string; blob: Blob };

/** Queue a command (and the photos it needs) in one transaction; refuses when full. */
export async function enqueue(
  body: CommandBody,
  label: string,
  files: NewFile[] = [],
  /** The local draft of a record this command creates, keyed `local:<command id>`. */
  local?: (
    commandId: string,
  ) => Omit<CachedRecord, "id" | "pendingCommand" | "touchedAt" | "fetchedAt">,
): Promise<Command> {
  const d = await db();
  const tx = d.transaction(["outbox", "files", "records"], "readwrite");
  const waiting = (await tx.objectStore("outbox").getAll()).filter((c) => c.state === "pending");
  if (waiting.length >= MAX_PENDING) {
    tx.abort();
    throw new QueueFull("commands", waiting.length);
  }
  const stored = await tx.objectStore("files").getAll();
  const bytes = stored.reduce((n, f) => n + f.size, 0) + files.reduce((n, f) => n + f.blob.size, 0);
  if (files.length > 0 && bytes > MAX_FILE_BYTES) {
    tx.abort();
    throw new QueueFull("photos", waiting.length);
  }
  const id = ulid();
  const refs: FileRef[] = files.map((f) => ({
    sha256: f.sha256,
    type: f.blob.type,
    size: f.blob.size,
  }));
  const command = {
    ...body,
    id,
    idempotencyKey: idempotencyKey(),
    label: label.slice(0, 200),
    createdAt: Date.now(),
    state: "pending",
    files: refs,
  } as Command;
  // The store's key generator writes `seq` into the stored command; the caller gets it too.
  command.seq = await tx.objectStore("outbox").add(command);
  for (const f of files) {
    const row: StoredFile = {
      ...refs.find((r) => r.sha256 === f.sha256)!,
      blob: f.blob,
      commandId: id,
    };
    await tx.objectStore("files").put(row);
  }
  if (local) {
    await tx.objectStore("records").put({
      ...local(id),
      id: `local:${id}`,
      fetchedAt: 0,
      pendingCommand: id,
      touchedAt: Date.now(),
    });
  }
  await tx.done;
  return command;
}

export async function commands(): Promise<Command[]> {
  return (await db()).getAll("outbox");
}

/** Drops confirmed commands from the list (the rep's "clear confirmed"). */
export async function clearConfirmed(): Promise<void> {
  const d = await db();
  const tx = d.transaction("outbox", "readwrite");
  for (const c of await tx.store.getAll())
    if (c.state === "confirmed") await tx.store.delete(c.seq);
  await tx.done;
}

/** The rep gives up on a rejected or conflicting command; its photos go with it. */
export async function discard(id: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(["outbox", "files", "records"], "readwrite");
  const c = await tx.objectStore("outbox").index("id").get(id);
  if (c && c.state !== "pending" && c.state !== "confirmed") {
    await tx.objectStore("outbox").delete(c.seq);
    for (const key of await tx.objectStore("files").index("commandId").getAllKeys(id))
      await tx.objectStore("files").delete(key);
    await tx.objectStore("records").delete(`local:${id}`);
  }
  await tx.done;
}

export type RoundResult = {
  sent: number;
  /** Why the round stopped before the end, and when to try again. */
  stopped: null | { reason: "unreachable" | "later" | "session"; retryAfterMs: number | null };
};

type Settled = {
  state: "confirmed" | "rejected" | "conflict";
  answer?: Answer;
  problem?: ProblemInfo;
};

/**
 * One replay round, under the outbox lock (skipped if another context holds it).
 * `onChange` is called after every command that settles.
 */
export async function replay(api: Api, onChange: () => void = () => {}): Promise<RoundResult> {
  const run = () => replayLocked(api, onChange);
  if (typeof navigator !== "undefined" && "locks" in navigator) {
    const r = await navigator.locks.request("lifeline-outbox", { ifAvailable: true }, (lock) =>
      lock ? run() : null,
    );
    return r ?? { sent: 0, stopped: null };
  }
  return run();
}

async function replayLocked(api: Api, onChange: () => void): Promise<RoundResult> {
  let sent = 0;
  // The outbox is read once per pass and kept current as commands settle; a pass ends when
  // its pending commands are done, and a new one picks up what was queued meanwhile.
  while (sent < MAX_PER_ROUND) {
    const byId = new Map((await commands()).map((c) => [c.id, c]));
    const pending = [...byId.values()]
      .filter((c) => c.state === "pending")
      .sort((a, b) => a.seq - b.seq);
    if (pending.length === 0) return { sent, stopped: null };
    for (const next of pending) {
      const stopped = await replayOne(api, next, byId);
      if (stopped) return { sent, stopped };
      sent++;
      onChange();
      if (sent >= MAX_PER_ROUND) break;
    }
  }
  return { sent, stopped: null };
}

/** Sends one command and settles it; says why the round must stop, or null to go on. */
async function replayOne(
  api: Api,
  next: Command,
  byId: Map<string, Command>,
): Promise<RoundResult["stopped"]> {
  const done = async (s: Settled) => {
    const updated = await settle(next, s);
    if (updated) byId.set(updated.id, updated);
    return null;
  };
  const blocked = refsOf(next)
    .map((r) => byId.get(r))
    .find((r) => r && (r.state === "rejected" || r.state === "conflict"));
  if (blocked) return done({ state: "rejected", problem: dependsOnRejected(blocked) });
  const resolve = (ref: string) => {
    const c = byId.get(ref);
    return c?.state === "confirmed" ? (c.result?.id ?? null) : null;
  };
  let request: ReturnType<typeof toRequest>;
  try {
    request = toRequest(next, resolve);
  } catch (err) {
    if (!(err instanceof UnresolvedRef)) throw err;
    // Its reference is missing from the outbox (discarded): it can never be sent.
    return done({
      state: "rejected",
      problem: { code: "depends-on-rejected", status: 0, title: "Depends on a discarded change" },
    });
  }
  let settled: Settled | { later: true; retryAfterMs: number | null; session: boolean };
  try {
    settled = await api.failover(async (endpoint) => {
      const upload = await uploadFiles(api, endpoint, next);
      if (upload !== "ok") return upload;
      const answer = await api.send(endpoint, {
        method: request.method,
        path: request.path,
        json: request.body,
        headers: request.idempotent ? { "idempotency-key": next.idempotencyKey } : {},
      });
      const outcome: Outcome = classify(
        answer.status,
        answer.body,
        retryAfterMs(answer.headers.get("retry-after"), Date.now()),
      );
      switch (outcome.kind) {
        case "failover":
          return { next: true as const, retryAfterMs: outcome.retryAfterMs };
        case "later":
          return {
            later: true as const,
            retryAfterMs: outcome.retryAfterMs,
            session: answer.status === 401,
          };
        case "confirmed":
          return { state: "confirmed" as const, answer };
        case "rejected":
        case "conflict":
          return { state: outcome.kind, answer, problem: outcome.problem };
      }
    });
  } catch (err) {
    if (err instanceof Unreachable)
      return { reason: "unreachable", retryAfterMs: err.retryAfterMs };
    throw err;
  }
  if ("later" in settled)
    return { reason: settled.session ? "session" : "later", retryAfterMs: settled.retryAfterMs };
  return done(settled);
}

/** PUT each photo the command needs to the endpoint that will take the command. */
async function uploadFiles(
  api: Api,
  endpoint: Endpoint,
  c: Command,
): Promise<"ok" | { next: true; retryAfterMs: number | null } | Settled> {
  if (c.files.length === 0) return "ok";
  const d = await db();
  for (const f of c.files) {
    const stored = await d.get("files", f.sha256);
    if (!stored) continue; // already sent and confirmed by an earlier command
    const a = await api.send(endpoint, {
      method: "PUT",
      path: `/v1/files/${f.sha256}`,
      blob: stored.blob,
    });
    if (a.status === 200 || a.status === 201) continue;
    if (a.status >= 500 || a.status === 429)
      return { next: true, retryAfterMs: retryAfterMs(a.headers.get("retry-after"), Date.now()) };
    return { state: "rejected", answer: a, problem: problemOf(a.status, a.body) };
  }
  return "ok";
}

/** Records a definite outcome; the settled command, or null if it was no longer pending. */
async function settle(c: Command, s: Settled): Promise<Command | null> {
  const d = await db();
  const tx = d.transaction(["outbox", "files", "records"], "readwrite");
  const current = await tx.objectStore("outbox").index("id").get(c.id);
  if (current?.state !== "pending") {
    await tx.done;
    return null;
  }
  const body = s.answer?.body;
  const id =
    typeof body === "object" && body !== null && typeof (body as { id?: unknown }).id === "string"
      ? (body as { id: string }).id
      : null;
  const updated: Command = {
    ...current,
    state: s.state,
    ...(s.answer
      ? {
          result: {
            id,
            status: s.answer.status,
            region: s.answer.region,
            at: Date.now(),
            body: s.state === "confirmed" ? body : null,
          },
        }
      : {}),
    ...(s.problem ? { problem: s.problem } : {}),
  };
  await tx.objectStore("outbox").put(updated);
  if (s.state === "confirmed") {
    for (const key of await tx.objectStore("files").index("commandId").getAllKeys(c.id))
      await tx.objectStore("files").delete(key);
    await adoptServerRecord(tx.objectStore("records"), updated);
  }
  await tx.done;
  if (
    s.state === "confirmed" &&
    id &&
    (c.kind === "customer.create" || c.kind === "contract.create")
  )
    await setMeta(`alias:local:${c.id}`, id);
  return updated;
}

/** A created record's local draft becomes the server's view under the server's id. */
async function adoptServerRecord(
  records: {
    get(k: string): Promise<CachedRecord | undefined>;
    put(v: CachedRecord): Promise<unknown>;
    delete(k: string): Promise<unknown>;
  },
  c: Command,
): Promise<void> {
  const view = c.result?.body;
  if (typeof view !== "object" || view === null || !c.result?.id) return;
  const data = view as Record<string, unknown>;
  if (c.kind === "customer.create" || c.kind === "contract.create") {
    const local = await records.get(`local:${c.id}`);
    await records.delete(`local:${c.id}`);
    await records.put({
      id: c.result.id,
      kind: c.kind === "customer.create" ? "customer" : "contract",
      customerId: typeof data.customerId === "string" ? data.customerId : null,
      data,
      fetchedAt: Date.now(),
      pendingCommand: null,
      touchedAt: local?.touchedAt ?? Date.now(),
    });
  }
}
