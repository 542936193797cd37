// The app's live state (session, language, connectivity, serving region, degradation
// modes, outbox counts) in one small observable, and the loop that drains the outbox:
// on start, when the browser comes online, after every enqueue, and on a bounded backoff
// while something waits. Where the browser has Background Sync the service worker is
// asked to drain it too (it reads the session and endpoints from IndexedDB).
import { Api, type Endpoint, endpointsFor, type RegionInfo } from "./api.ts";
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

export const api = new Api([{ region: null, url: location.origin }], null, "en", {
  onAnswer: ({ region, degraded }) => {
    if (region !== state.region || degraded.join() !== state.degraded.join() || state.unreachable)
      update({ region, degraded, unreachable: false });
  },
  onUnreachable: () => update({ unreachable: true, region: null }),
});

export async function setLang(lang: Lang): Promise<void> {
  document.documentElement.lang = lang;
  api.setLang(lang);
  update({ lang });
  await setMeta("lang", lang);
}

async function loadEndpoints(jurisdiction: string): Promise<Endpoint[]> {
  const cached = await getMeta<RegionInfo[]>("regions");
  let regions = cached ?? [];
  try {
    const a = await api.request({ method: "GET", path: "/v1/regions" });
    if (a.status === 200 && Array.isArray((a.body as { regions?: unknown }).regions)) {
      regions = (a.body as { regions: RegionInfo[] }).regions.filter(
        (r) =>
          typeof r.region === "string" && typeof r.url === "string" && /^https?:\/\//.test(r.url),
      );
      await setMeta("regions", regions);
    }
  } catch {
    // Offline: the cached map serves.
  }
  return endpointsFor(regions, jurisdiction, location.origin);
}

export async function boot(): Promise<void> {
  const lang =
    (await getMeta<Lang>("lang")) ?? pickLang(navigator.languages ?? [navigator.language]);
  await setLang(lang);
  const session = (await getMeta<Session>("session")) ?? null;
  if (session && Date.parse(session.expiresAt) > Date.now()) {
    api.setToken(session.token);
    api.setEndpoints(await loadEndpoints(session.jurisdiction));
    update({ session });
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
  const regions = await regionsMap();
  const jurisdiction =
    regions.find((r) => r.region === a.region)?.jurisdiction ??
    a.headers.get("lifeline-jurisdiction") ??
    "cn";
  const session: Session = { ...s, jurisdiction };
  await setMeta("session", session);
  api.setToken(session.token);
  api.setEndpoints(await loadEndpoints(jurisdiction));
  update({ session });
  void drain();
  return null;
}

async function regionsMap(): Promise<RegionInfo[]> {
  try {
    const a = await api.request({ method: "GET", path: "/v1/regions" });
    if (a.status === 200) return (a.body as { regions: RegionInfo[] }).regions ?? [];
  } catch {}
  return (await getMeta<RegionInfo[]>("regions")) ?? [];
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
  if (!state.session || draining) return;
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
