// Where the relay may deliver: the origins of the configured topology, given at start. A
// local relay that signs and retries requests must not become a way to reach any URL a
// caller names (a laptop's other services, cloud metadata), so every destination, callback
// and URL-group endpoint is checked against the allow-list when it is accepted.

import { RelayError } from "./http.ts";

/** null: any destination (the library default, for contract tests against arbitrary ports). */
export type AllowedOrigins = ReadonlySet<string> | null;

/** Normalises `http://127.0.0.1:8801/` and friends to URL origins; throws on a non-URL. */
export function allowedOrigins(origins: readonly string[] | undefined): AllowedOrigins {
  if (origins === undefined) return null;
  return new Set(
    origins.map((o) => {
      const url = new URL(o);
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new Error(`allowed origin ${o} is not http(s)`);
      return url.origin;
    }),
  );
}

export function isAllowed(allowed: AllowedOrigins, url: string): boolean {
  if (allowed === null) return true;
  try {
    return allowed.has(new URL(url).origin);
  } catch {
    return false;
  }
}

/** QStash answers an unusable destination with 400; so does the relay for a foreign one. */
export function assertAllowed(allowed: AllowedOrigins, url: string, what: string): void {
  if (!isAllowed(allowed, url))
    throw new RelayError(400, `${what} ${url} is not an origin this relay delivers to`);
}
