// `npm run converge`: asks every running region for the state hash of the dev tenant as
// each region should hold it, and says whether they agree [LF3]. Exit 0 = converged.
import { parseArgs } from "node:util";
import { devCredentials } from "./seed.ts";
import { readTopology } from "./topology.ts";

type View = {
  region: string;
  as: string;
  count: number;
  hash: string;
  accounts: Record<string, { hash?: string; view?: string }>;
};

const args = parseArgs({
  options: { "api-key": { type: "string" }, wait: { type: "string", default: "0" } },
});
const apiKey = args.values["api-key"] ?? devCredentials().apiKey;
const regions = readTopology();
const waitMs = Number(args.values.wait) * 1000;

async function view(apiUrl: string, as: string): Promise<View | string> {
  try {
    const res = await fetch(`${apiUrl}/v1/admin/state-hash?as=${as}`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return `HTTP ${res.status}`;
    return (await res.json()) as View;
  } catch (err) {
    return (err as Error).message;
  }
}

/** For the view `as`: accounts each region reports, compared with what `as` itself holds. */
async function check(as: string): Promise<{ ok: boolean; lines: string[] }> {
  const views = await Promise.all(
    regions.map(async (r) => ({ region: r.region, v: await view(r.apiUrl, as) })),
  );
  const holder = views.find((x) => x.region === as)?.v;
  if (typeof holder !== "object") return { ok: false, lines: [`  ${as}: unreachable (${holder})`] };
  let ok = true;
  const lines = views.map(({ region, v }) => {
    if (typeof v !== "object") {
      ok = false;
      return `  ${region.padEnd(11)} unreachable (${v})`;
    }
    const ids = new Set([...Object.keys(v.accounts), ...Object.keys(holder.accounts)]);
    let differ = 0;
    let unknown = 0;
    for (const id of ids) {
      const mine = v.accounts[id];
      if (!mine) differ++;
      else if (mine.hash === undefined) unknown++;
      else if (mine.hash !== holder.accounts[id]?.hash) differ++;
    }
    if (differ > 0) ok = false;
    const verdict = differ === 0 ? "agrees" : `${differ} account(s) differ`;
    return `  ${region.padEnd(11)} ${String(v.count).padStart(5)} accounts  ${verdict}${unknown ? ` (${unknown} only held masked here)` : ""}`;
  });
  return { ok, lines };
}

const deadline = Date.now() + waitMs;
for (;;) {
  const results = await Promise.all(
    regions.map(async (r) => ({ as: r.region, ...(await check(r.region)) })),
  );
  const ok = results.every((r) => r.ok);
  if (ok || Date.now() >= deadline) {
    for (const r of results) console.log(`as ${r.as} should hold it:\n${r.lines.join("\n")}`);
    console.log(ok ? "\nConverged: every region agrees." : "\nNOT converged.");
    process.exit(ok ? 0 : 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
