// `npm run converge`: asks every running region for the state hash of the dev tenant as
// each region should hold it, and says whether they agree [LF3]. Exit 0 = converged.
// The state hash is for admins: it logs in as the dev admin (or takes `--token`) and
// reads every page of accounts.
import { parseArgs } from "node:util";
import { devCredentials } from "./seed.ts";
import { readTopology } from "./topology.ts";

type AccountHash = { hash?: string; view?: string };
type Page = {
  count: number;
  accounts: Record<string, AccountHash>;
  nextCursor: string | null;
};
type View = { count: number; accounts: Record<string, AccountHash> };

/** Pages read per region and view at most (1,000 accounts each). */
const MAX_PAGES = 100;

const args = parseArgs({
  options: { token: { type: "string" }, wait: { type: "string", default: "0" } },
});
const regions = readTopology();
const waitMs = Number(args.values.wait) * 1000;

/** A session token of the dev admin, from the first region that answers (every region accepts it). */
async function adminToken(): Promise<string> {
  const c = devCredentials();
  for (const r of regions) {
    try {
      const res = await fetch(`${r.apiUrl}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: c.adminEmail, password: c.adminPassword }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return ((await res.json()) as { token: string }).token;
    } catch {
      // the next region may answer
    }
  }
  throw new Error("no region accepted the dev admin's login; pass --token");
}

const token = args.values.token ?? (await adminToken());

async function view(apiUrl: string, as: string): Promise<View | string> {
  const out: View = { count: 0, accounts: {} };
  let cursor = "";
  try {
    for (let i = 0; i < MAX_PAGES; i++) {
      const query = new URLSearchParams({ as, ...(cursor ? { cursor } : {}) });
      const res = await fetch(`${apiUrl}/v1/admin/state-hash?${query}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return `HTTP ${res.status}`;
      const page = (await res.json()) as Page;
      out.count += page.count;
      Object.assign(out.accounts, page.accounts);
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
    return `more than ${MAX_PAGES} pages`;
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
