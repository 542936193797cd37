// One forwarded attempt to one region, bounded by a timeout [LF5]. The body is buffered
// by the caller so the same bytes can be sent again to a peer region on failover.
import type { RegionInfo } from "./config.ts";
import type { Attempt } from "./retry.ts";

export type Fetcher = (request: Request) => Promise<Response>;

export type Outgoing = {
  method: string;
  /** Path and query, exactly as the client sent them. */
  target: string;
  headers: Headers;
  body: Uint8Array | null;
};

// RFC 9110 §7.6.1 connection-specific fields, plus what fetch sets itself.
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

function withoutHopByHop(source: Headers, drop: readonly string[]): Headers {
  const named = (source.get("connection") ?? "").split(",").map((h) => h.trim().toLowerCase());
  const skip = new Set([...HOP_BY_HOP, ...drop, ...named.filter(Boolean)]);
  const out = new Headers();
  source.forEach((value, name) => {
    if (!skip.has(name) && !name.startsWith("cf-")) out.append(name, value);
  });
  return out;
}

/** The client's headers as a region should see them, computed once per request. */
export function forwardHeaders(incoming: Headers, url: URL): Headers {
  const out = withoutHopByHop(incoming, ["host", "content-length"]);
  out.set("x-forwarded-host", url.host);
  out.set("x-forwarded-proto", url.protocol.replace(":", ""));
  const client = incoming.get("cf-connecting-ip");
  if (client) out.set("x-forwarded-for", client);
  return out;
}

export async function forward(
  fetcher: Fetcher,
  region: RegionInfo,
  outgoing: Outgoing,
  timeoutMs: number,
): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const request = new Request(`${region.url.replace(/\/$/, "")}${outgoing.target}`, {
    method: outgoing.method,
    headers: outgoing.headers,
    body: outgoing.body,
    redirect: "manual",
    signal: controller.signal,
  });
  try {
    const upstream = await fetcher(request);
    return { kind: "response", response: passThrough(upstream) };
  } catch (err) {
    if (controller.signal.aborted) return { kind: "timeout", afterMs: timeoutMs };
    return { kind: "unreachable", error: err instanceof Error ? err.message : String(err) };
  } finally {
    // Only the wait for the response head is bounded: a body already on its way streams.
    clearTimeout(timer);
  }
}

/**
 * A mutable copy (fetch's headers are immutable) without the region's hop-by-hop fields.
 * fetch() already decoded the body, so its Content-Encoding/Length no longer describe it:
 * kept, workerd would re-encode the body for a client that never asked for it.
 */
function passThrough(upstream: Response): Response {
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: withoutHopByHop(upstream.headers, ["content-encoding", "content-length"]),
  });
}
