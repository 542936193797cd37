// The portal's hooks: its state, the hash route (path and query), a ticking clock for
// countdowns, and GET loads that say whether they failed and why.
import { useEffect, useState } from "preact/hooks";
import { type Reply, Unreachable } from "../client.ts";
import { type PortalState, request, state, subscribe } from "../state.ts";

export function usePortal(): PortalState {
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setTick((n) => n + 1)), []);
  return state;
}

export type Route = { path: string; params: URLSearchParams };

/** "#/contracts/x?tab=y" → { path: "/contracts/x", params: tab=y }. */
export function readRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  return {
    path: (q < 0 ? raw : raw.slice(0, q)) || "/",
    params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => readRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(readRoute(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function go(path: string): void {
  location.hash = `#${path}`;
}

/** The time now, refreshed every `everyMs` (countdowns change once a minute). */
export function useNow(everyMs = 20_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export type Failure = { kind: "unreachable" } | { kind: "http"; reply: Reply };

export type Load<T> = {
  data: T | undefined;
  failure: Failure | null;
  loading: boolean;
  reload: () => void;
};

/** GET `path` (null: nothing to load yet); reloads when the path or the language change. */
export function useLoad<T>(path: string | null): Load<T> {
  const s = usePortal();
  const [round, setRound] = useState(0);
  const [out, setOut] = useState<Omit<Load<T>, "reload">>({
    data: undefined,
    failure: null,
    loading: path !== null,
  });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setOut((o) => ({ ...o, loading: true }));
    request({ method: "GET", path }).then(
      (reply) => {
        if (!live) return;
        if (reply.status === 200) setOut({ data: reply.body as T, failure: null, loading: false });
        else setOut({ data: undefined, failure: { kind: "http", reply }, loading: false });
      },
      (err: unknown) => {
        if (!live) return;
        if (!(err instanceof Unreachable)) throw err;
        setOut((o) => ({ ...o, failure: { kind: "unreachable" }, loading: false }));
      },
    );
    return () => {
      live = false;
    };
  }, [path, round, s.lang, s.session?.token]);
  return { ...out, reload: () => setRound((n) => n + 1) };
}
