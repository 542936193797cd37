// The app's live state (session, language, connectivity, serving region, degradation
// modes, outbox counts) in one small observable, and the loop that drains the outbox:
// on start, when the browser comes online, after every enqueue, and on a bounded backoff
// while something waits. Where the browser has Background Sync the service worker is
// asked to drain it too (it reads the session and endpoints from IndexedDB).
import { Api, endpointsFor, type RegionInfo } from "./api.ts";
import { deleteMeta, getMeta, setMeta } from "./db.ts";
import { type Key, type Lang, pickLang, translate } from "./i18n.ts";
import { commands, replay } from "./outbox.ts";

export type Session = {
  token: string;
  expiresAt: string;
  user: { id: string; name: string; role: string; tenantId: string };
  jurisdiction: string;
};

export type AppState = {
  lang: Lang;
  session: Session | null;
  online: boolean;
  /** The last endpoint round failed entirely (online, but nothing answered). */
  unreachable: boolean;
  region: string | null;
  degraded: string[];
  pending: number;
  syncing: boolean;
  /** Bumped whenever the outbox or the cache changes, so screens re-read. */
  version: number;
  notice: string | null;
};

type Listener = (s: AppState) => void;
const listeners = new Set<Listener>();

export const state: AppState = {
  lang: "en",
  session: null,
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  unreachable: false,
  region: null,
  degraded: [],
  pending: 0,
  syncing: false,
  version: 0,
  notice: null,
};

export function update(patch: Partial<AppState>): void {
  Object.assign(state, patch);
  for (const l of listeners) l(state);
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function t(key: Key, params?: Readonly<Record<string, string | number>>): string {
  return translate(state.lang, key, params);
}

/**
 * A mode is shown for MODE_HOLD_MS after the last answer that carried it. A mode affects
 * some answers only (inference-off: insights), so an unaffected answer without the header
 * does not mean it ended; the banner stays calm instead of flickering with every request.
 */
export const MODE_HOLD_MS = 60_000;
const modeSeenAt = new Map<string, number>();
let modeTimer: ReturnType<typeof setTimeout> | null = null;

function modesInForce(now: number): string[] {
  for (const [mode, at] of modeSeenAt) if (now - at >= MODE_HOLD_MS) modeSeenAt.delete(mode);
  if (modeTimer) clearTimeout(modeTimer);
  modeTimer = null;
  if (modeSeenAt.size > 0) {
    const next = Math.min(...modeSeenAt.values()) + MODE_HOLD_MS - now;
    modeTimer = setTimeout(() => update({ degraded: modesInForce(Date.now()) }), Math.max(next, 0));
  }
  return [...modeSeenAt.keys()].sort();
}

export const api = new Api([{ region: null, url: location.origin }], null, "en", {
  onAnswer: ({ region, degraded }) => {
    const now = Date.now();
    for (const mode of degraded) modeSeenAt.set(mode, now);
    const modes = modesInForce(now);
    if (region !== state.region || modes.join() !== state.degraded.join() || state.unreachable)
      update({ region, degraded: modes, unreachable: false });
  },
  onUnreachable: () => update({ unreachable: true, region: null }),
});

export async function setLang(lang: Lang): Promise<void> {
  document.documentElement.lang = lang;
  api.setLang(lang);
  update({ lang });
  await setMeta("lang", lang);
}

/** The region map: from the network when it answers (and then cached), else the cached one. */
async function regions(): Promise<RegionInfo[]> {
  try {
    const a = await api.request({ method: "GET", path: "/v1/regions" });
    const list = (a.body as { regions?: unknown } | null)?.regions;
    if (a.status === 200 && Array.isArray(list)) {
      const valid = (list as RegionInfo[]).filter(
        (r) =>
          typeof r.region === "string" &&
          typeof r.jurisdiction === "string" &&
          typeof r.url === "string" &&
          /^https?:\/\//.test(r.url),
      );
      await setMeta("regions", valid);
      return valid;
    }
  } catch {
    // Offline: the cached map serves.
  }
  return (await getMeta<RegionInfo[]>("regions")) ?? [];
}

function useEndpoints(map: RegionInfo[], jurisdiction: string): void {
  api.setEndpoints(endpointsFor(map, jurisdiction, location.origin));
}

export async function boot(): Promise<void> {
  const lang =
    (await getMeta<Lang>("lang")) ?? pickLang(navigator.languages ?? [navigator.language]);
  await setLang(lang);
  const session = (await getMeta<Session>("session")) ?? null;
  if (session && Date.parse(session.expiresAt) > Date.now()) {
    api.setToken(session.token);
    // The cached map first, so the app opens at once (offline too); then a fresh one.
    useEndpoints((await getMeta<RegionInfo[]>("regions")) ?? [], session.jurisdiction);
    update({ session });
    void regions().then((map) => useEndpoints(map, session.jurisdiction));
  }
  window.addEventListener("online", () => {
    update({ online: true });
    void drain();
  });
  window.addEventListener("offline", () => update({ online: false }));
  // The page drains the outbox. Background Sync (src/sw.ts handles "lifeline-outbox") is not
  // registered yet: a sync fired on a reload raced the page in the browser tests, and
  // Playwright's offline emulation does not reach a worker woken for it — see issue 10's note.
  navigator.serviceWorker?.addEventListener("message", (e: MessageEvent) => {
    if (e.data?.type === "outbox-changed") void refreshCounts();
  });
  await refreshCounts();
  void drain();
}

export async function login(email: string, password: string): Promise<string | null> {
  const a = await api.request({
    method: "POST",
    path: "/v1/auth/login",
    json: { email, password },
  });
  if (a.status !== 200) {
    const body = a.body as { title?: string; detail?: string } | null;
    return body?.detail ?? body?.title ?? `HTTP ${a.status}`;
  }
  const s = a.body as Omit<Session, "jurisdiction">;
  // The region that answered tells the jurisdiction the tenant lives in.
  const map = await regions();
  const jurisdiction =
    map.find((r) => r.region === a.region)?.jurisdiction ??
    a.headers.get("lifeline-jurisdiction") ??
    "cn";
  const session: Session = { ...s, jurisdiction };
  await setMeta("session", session);
  api.setToken(session.token);
  useEndpoints(map, jurisdiction);
  update({ session });
  void drain();
  return null;
}

export async function logout(): Promise<void> {
  try {
    await api.request({ method: "POST", path: "/v1/auth/logout" });
  } catch {}
  // The outbox stays: what the rep did is sent after the next login.
  await deleteMeta("session");
  api.setToken(null);
  update({ session: null });
}

export async function refreshCounts(): Promise<void> {
  const all = await commands();
  update({ pending: all.filter((c) => c.state === "pending").length, version: state.version + 1 });
}

let draining = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let backoffMs = 1000;
const MAX_BACKOFF_MS = 30_000;

/** Drain the outbox now; while something waits, try again on a bounded backoff. */
export async function drain(): Promise<void> {
  // Offline, nothing is tried: the browser's "online" event drains it.
  if (!state.session || !state.online || draining) return;
  if (timer) clearTimeout(timer);
  timer = null;
  draining = true;
  update({ syncing: state.pending > 0 });
  let retryIn: number | null = null;
  try {
    const r = await replay(api, () => void refreshCounts());
    if (r.stopped) {
      retryIn = Math.max(r.stopped.retryAfterMs ?? backoffMs, 500);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      if (r.stopped.reason === "session") update({ notice: t("problem.unauthorized") });
    } else backoffMs = 1000;
  } catch {
    retryIn = backoffMs;
  } finally {
    draining = false;
    await refreshCounts();
    update({ syncing: false });
  }
  if (state.pending > 0) {
    timer = setTimeout(() => void drain(), retryIn ?? 2000);
  }
}

/** After the rep queued something: show it, then try to send it. */
export async function queued(): Promise<void> {
  await refreshCounts();
  void drain();
}
