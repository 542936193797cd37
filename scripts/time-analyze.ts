// `npx tsx scripts/time-analyze.ts [--n 60] [--region cn-east]`: with `npm start` running,
// sends the 20-utterance clinic call (core/insights/fixtures.ts) to POST /v1/insights/analyze
// through the router and directly to one region, one request at a time, and prints latency
// (p50/p90/max, as the caller sees it) and what the answer said. A quick check by hand;
// `npm run bench:inference` is the measurement of record. Its analyses are sent as local
// tooling (the local admin secret of .data/secrets.json), so they never count in adoption.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLINIC_CALL, CLINIC_PROFILE } from "../core/insights/fixtures.ts";
import { ROOT } from "./region.ts";
import { routerPort } from "./router-process.ts";
import { devCredentials } from "./seed.ts";
import { readTopology } from "./topology.ts";

const { values } = parseArgs({
  options: { n: { type: "string", default: "60" }, region: { type: "string", default: "cn-east" } },
});
const n = Number(values.n);
if (!Number.isInteger(n) || n < 1 || n > 1000) {
  console.error("--n must be an integer from 1 to 1000");
  process.exit(2);
}
const region = readTopology().find((r) => r.region === values.region);
if (!region) {
  console.error(`--region: no region ${values.region} in wrangler.toml`);
  process.exit(2);
}
const body = JSON.stringify({
  industry: "medical-devices",
  profile: CLINIC_PROFILE,
  transcript: CLINIC_CALL,
});
const localAdminSecret = (() => {
  try {
    const secrets = JSON.parse(readFileSync(join(ROOT, ".data", "secrets.json"), "utf8"));
    return String(secrets.LOCAL_ADMIN_SECRET ?? "");
  } catch {
    return "";
  }
})();
if (!localAdminSecret) {
  console.error("no LOCAL_ADMIN_SECRET in .data/secrets.json: start the stack with `npm start`");
  process.exit(2);
}
const headers = {
  authorization: `Bearer ${devCredentials().apiKey}`,
  "content-type": "application/json",
  "lifeline-local-admin": localAdminSecret,
};
const at = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

for (const [name, base] of [
  ["router", `http://127.0.0.1:${routerPort()}`],
  [region.region, region.apiUrl],
] as const) {
  const ms: number[] = [];
  let last: { status: number; body: Record<string, unknown> } | undefined;
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await fetch(`${base}/v1/insights/analyze`, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error) => {
      console.error(`${name}: ${err.message} (is \`npm start\` running?)`);
      process.exit(1);
    });
    last = { status: res.status, body: (await res.json()) as Record<string, unknown> };
    ms.push(performance.now() - started);
  }
  const first = ms[0]!;
  const sorted = [...ms].sort((a, b) => a - b);
  const b = last!.body as {
    id?: string;
    model?: { version: string } | null;
    rules?: { engine: string };
    insights?: {
      utterances: Array<{ sentiment: unknown; signals: Array<{ competitor?: string }> }>;
      actions: Array<{ strategy: string }>;
    } | null;
  };
  const competitors = new Set(
    b.insights?.utterances.flatMap((u) => u.signals.map((s) => s.competitor).filter(Boolean)),
  );
  console.log(
    `${name.padEnd(10)} HTTP ${last!.status}  first ${first.toFixed(1)} ms  p50 ${at(sorted, 0.5).toFixed(1)}  p90 ${at(sorted, 0.9).toFixed(1)}  max ${sorted.at(-1)!.toFixed(1)} ms  (${n} calls)`,
  );
  console.log(
    `           ${b.id}  model ${b.model?.version ?? "none (shed)"}  ${b.rules?.engine}  sentiment on ${b.insights?.utterances.filter((u) => u.sentiment).length ?? 0}/20  competitors ${[...competitors].join(", ")}  actions ${b.insights?.actions.map((a) => a.strategy).join(", ")}`,
  );
}
