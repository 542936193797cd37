import { useEffect, useState } from "preact/hooks";
import { type AppState, state, subscribe } from "../app/state.ts";

/** Re-renders on every app state change. */
export function useAppState(): AppState {
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setTick((n) => n + 1)), []);
  return state;
}

/** The location hash as a path ("#/customers/x" → "/customers/x"). */
export function useRoute(): string {
  const read = () => location.hash.replace(/^#/, "") || "/";
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function go(path: string): void {
  location.hash = `#${path}`;
}

/** Loads async data, re-loading when `deps` or the app's data version change. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): T | undefined {
  const s = useAppState();
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && setValue(v),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [...deps, s.version]);
  return value;
}
