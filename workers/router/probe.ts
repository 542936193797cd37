// Lazy health probes: a request that finds a region's probe due sends `GET /v1/health`
// in the background (ctx.waitUntil), so no request waits on a probe and an idle router
// sends nothing. "degraded" still counts as up: lifeline writes do not need the read model.
import type { RegionInfo } from "./config.ts";
import type { Fetcher } from "./forward.ts";

export async function probe(
  fetcher: Fetcher,
  region: RegionInfo,
  timeoutMs: number,
): Promise<boolean> {
  const url = `${region.url.replace(/\/$/, "")}/v1/health`;
  try {
    const res = await fetcher(new Request(url, { signal: AbortSignal.timeout(timeoutMs) }));
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
