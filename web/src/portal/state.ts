// The portal's live state (language, session, who is signed in, whether writes are paused)
// in one small observable, and the request wrapper every screen uses. Online only: the
// session and the language are remembered in localStorage, nothing else is stored.
import type { PortalMe, PortalSession } from "./api-types.ts";
import { type Reply, type Spec, saysReadOnly, send } from "./client.ts";
import { type Key, type Lang, pickLang, translate } from "./i18n.ts";

export type PortalState = {
  lang: Lang;
  session: PortalSession | null;
  me: PortalMe | null;
  /** Lifeline-Degraded: portal-read-only is in force: write buttons are disabled. */
  readOnly: boolean;
  online: boolean;
  /** A message for one screen (its route), or for every screen (route null). */
  notice: Notice | null;
};

export type Notice = { text: string; route: string | null; tone: "info" | "alert" };

const SESSION_KEY = "lifeline-portal-session";
const LANG_KEY = "lifeline-portal-lang";
/** A mode is held this long after the last answer that carried it (as the rep app does). */
export const MODE_HOLD_MS = 60_000;

type Listener = (s: PortalState) => void;
const listeners = new Set<Listener>();

export const state: PortalState = {
  lang: "en",
  session: null,
  me: null,
  readOnly: false,
  online: navigator.onLine,
  notice: null,
};

export function update(patch: Partial<PortalState>): void {
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

function stored<T>(key: string): T | null {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "null") as T | null;
  } catch {
    return null;
  }
}

export function setLang(lang: Lang): void {
  document.documentElement.lang = lang;
  document.title = translate(lang, "appName");
  localStorage.setItem(LANG_KEY, JSON.stringify(lang));
  update({ lang });
}

let readOnlyTimer: ReturnType<typeof setTimeout> | null = null;

function sawReadOnly(): void {
  if (readOnlyTimer) clearTimeout(readOnlyTimer);
  readOnlyTimer = setTimeout(() => update({ readOnly: false }), MODE_HOLD_MS);
  if (!state.readOnly) update({ readOnly: true });
}

/** One request with the session; a 401 ends the session (the login screen shows). */
export async function request(spec: Spec, auth = true): Promise<Reply> {
  const r = await send(spec, {
    token: auth ? (state.session?.token ?? null) : null,
    lang: state.lang,
  });
  if (saysReadOnly(r)) sawReadOnly();
  else if (spec.method !== "GET" && r.status < 300 && state.readOnly) {
    // A write went through: the pause is over, whatever the hold says.
    if (readOnlyTimer) clearTimeout(readOnlyTimer);
    update({ readOnly: false });
  }
  if (auth && r.status === 401 && state.session)
    endSession({ text: t("common.sessionEnded"), route: null, tone: "alert" });
  return r;
}

export async function loadMe(): Promise<void> {
  try {
    const r = await request({ method: "GET", path: "/v1/portal/me" });
    if (r.status === 200) update({ me: r.body as PortalMe });
  } catch {
    // Unreachable: the screens say so; who is signed in is filled in on the next answer.
  }
}

export function startSession(session: PortalSession): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  update({ session, notice: null });
  void loadMe();
}

export function endSession(notice: Notice | null = null): void {
  localStorage.removeItem(SESSION_KEY);
  update({ session: null, me: null, notice });
}

export async function logout(): Promise<void> {
  try {
    await request({ method: "POST", path: "/v1/portal/auth/logout" });
  } catch {
    // Unreachable: the token is forgotten here and expires on its own.
  }
  endSession();
}

export function boot(): void {
  const saved = stored<string>(LANG_KEY);
  setLang(
    saved === "en" || saved === "zh-CN"
      ? saved
      : pickLang(navigator.languages ?? [navigator.language]),
  );
  const session = stored<PortalSession>(SESSION_KEY);
  if (session && Date.parse(session.expiresAt) > Date.now()) startSession(session);
  else if (session) endSession();
  window.addEventListener("online", () => update({ online: true }));
  window.addEventListener("offline", () => update({ online: false }));
}

/**
 * Opens a document's file (a signed copy, a voucher photo) in a new tab: fetched with the
 * session (a plain link would carry no credentials), shown from a blob URL. False when
 * the portal does not hold the file or the answer was not a file.
 */
export async function openDocumentFile(documentId: string): Promise<boolean> {
  const token = state.session?.token;
  if (!token) return false;
  const res = await fetch(`/v1/portal/documents/${encodeURIComponent(documentId)}/file`, {
    headers: { authorization: `Bearer ${token}` },
    cache: "no-store",
    credentials: "omit",
    signal: AbortSignal.timeout(15_000),
  }).catch(() => null);
  if (!res?.ok || (res.headers.get("content-type") ?? "").includes("json")) return false;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener";
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}
