// `npm run bench` (second part): replication lag between every ordered pair of regions
// and the write latency of `region` survival, on three local regions — once as they are,
// once with emulated geography (cn↔cn 30 ms, cn↔eu 200 ms round trips). The `zone`
// comparison is the same flows in a region with no peer, measured in the same run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEV_KEY, startTopology, type Topology } from "../scripts/local-topology.ts";
import { ROOT } from "../scripts/region.ts";
import { runPhase, summarise } from "./measure.ts";
import { gitInfo, machineInfo } from "./report.ts";

const args = parseArgs({
  options: {
    iterations: { type: "string", default: "40" },
    out: { type: "string", default: join(ROOT, "bench", "results") },
  },
});
const ITERATIONS = Number(args.values.iterations);
const POLL_MS = 5;
const LAG_DEADLINE_MS = 15_000;
const REGIONS = ["cn-east", "cn-south", "eu-central"];
const GEOGRAPHY = JSON.stringify({
  "cn-east|cn-south": 30,
  "cn-east|eu-central": 200,
  "cn-south|eu-central": 200,
});
const HASH = "b".repeat(64);

let seq = 0;
const key = () => `bench-repl-${process.pid}-${Date.now()}-${seq++}`;

async function post(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: { id: string } }> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${DEV_KEY}`,
      "content-type": "application/json",
      "idempotency-key": key(),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: (await res.json()) as { id: string } };
}

/** Polls `GET path` on a region until it answers 200; the elapsed time is the lag (bounded). */
async function visibleAfter(base: string, path: string): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < LAG_DEADLINE_MS) {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${DEV_KEY}` } });
    await res.arrayBuffer();
    if (res.status === 200) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`not visible within ${LAG_DEADLINE_MS} ms`);
}

const residencyOf = (region: string) => (region.startsWith("eu") ? "eu" : "cn");

/** Lag from each region's acknowledged customer create to its visibility in every other region. */
async function lagMatrix(topo: Topology) {
  const result: Record<string, ReturnType<typeof summarise>> = {};
  for (const from of REGIONS) {
    const lags: Record<string, number[]> = Object.fromEntries(
      REGIONS.filter((r) => r !== from).map((r) => [r, []]),
    );
    const phase = await runPhase(ITERATIONS, 1, async (i) => {
      const created = await post(topo.url(from), "/v1/customers", {
        name: `Lag ${from} ${i}`,
        residency: residencyOf(from),
      });
      if (created.status !== 201) return { ok: false, problem: `HTTP ${created.status}` };
      const seen = await Promise.all(
        Object.keys(lags).map(
          async (to) =>
            [to, await visibleAfter(topo.url(to), `/v1/customers/${created.json.id}`)] as const,
        ),
      );
      for (const [to, ms] of seen) lags[to]!.push(ms);
      return { ok: true };
    });
    if (phase.samples.some((s) => !s.ok))
      throw new Error(`lag from ${from}: ${phase.samples.find((s) => !s.ok)?.problem}`);
    for (const [to, values] of Object.entries(lags)) {
      result[`${from} → ${to}`] = summarise({
        samples: values.map((latencyMs) => ({ ok: true, latencyMs })),
        wallMs: phase.wallMs,
      });
    }
  }
  return result;
}

/** Write latency of customer.create and payment.confirm in one region (its survival goal applies). */
async function writeLatency(base: string, residency: "cn" | "eu") {
  const customers = await runPhase(ITERATIONS, 1, async (i) => {
    const r = await post(base, "/v1/customers", { name: `Write ${i}`, residency });
    return { ok: r.status === 201, problem: `HTTP ${r.status}` };
  });
  const customer = await post(base, "/v1/customers", { name: "Payer", residency });
  const contract = await post(base, "/v1/contracts", {
    customerId: customer.json.id,
    title: "Bench",
    amount: { value: 1_000_000_000, currency: "CNY" },
    documentHash: HASH,
  });
  await post(base, `/v1/contracts/${contract.json.id}/send`, {});
  await post(base, `/v1/contracts/${contract.json.id}/signatures`, {
    party: "customer",
    signer: { name: "B" },
    documentHash: HASH,
  });
  const payments = await runPhase(ITERATIONS, 1, async (i) => {
    const r = await post(base, "/v1/payments", {
      contractId: contract.json.id,
      reference: `P-${i}-${key()}`.slice(0, 60),
      amount: { value: 1, currency: "CNY" },
    });
    return { ok: r.status === 201, problem: `HTTP ${r.status}` };
  });
  return { "customer.create": summarise(customers), "payment.confirm": summarise(payments) };
}

async function scenario(name: string, vars: Record<string, string>) {
  process.stdout.write(`\n${name}: starting ${REGIONS.join(", ")}…\n`);
  const topo = await startTopology(REGIONS, { vars });
  try {
    const regionWrites = await writeLatency(topo.url("cn-east"), "cn");
    const lag = await lagMatrix(topo);
    return {
      name,
      emulatedRttMs: vars.EMULATED_RTT_MS ? JSON.parse(vars.EMULATED_RTT_MS) : null,
      regionWritesCnEast: regionWrites,
      lag,
    };
  } finally {
    await topo.stop();
  }
}

async function zoneBaseline() {
  process.stdout.write("\nzone baseline: starting cn-east alone (no peer, so zone survival)…\n");
  const topo = await startTopology(["cn-east"]);
  try {
    return await writeLatency(topo.url("cn-east"), "cn");
  } finally {
    await topo.stop();
  }
}

const startedAt = new Date().toISOString();
const zone = await zoneBaseline();
const scenarios = [
  await scenario("local", {}),
  await scenario("emulated geography", { EMULATED_RTT_MS: GEOGRAPHY }),
];
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const report = {
  schema: "lifeline-bench-replication/1",
  startedAt,
  finishedAt: new Date().toISOString(),
  git: gitInfo(ROOT),
  machine: machineInfo(),
  parameters: { iterations: ITERATIONS, pollMs: POLL_MS, bus: "direct" },
  note: "Lag = from the acknowledged write to a 200 from GET /v1/customers/:id in the other region (polled every 5 ms, so ±5 ms). cn-east → cn-south is usually ~0: region survival pushed the event before the ack. regionOverZone divides cn-east's write percentiles under region survival by the same flow's in a peerless region, measured in this run.",
  zoneWritesCnEast: zone,
  scenarios: scenarios.map((s) => ({
    ...s,
    regionOverZone: Object.fromEntries(
      Object.entries(s.regionWritesCnEast).map(([flow, st]) => {
        const z = zone[flow as keyof typeof zone];
        return [
          flow,
          {
            p50: ratio(st.latencyMsP50, z.latencyMsP50),
            p99: ratio(st.latencyMsP99, z.latencyMsP99),
          },
        ];
      }),
    ),
  })),
};
mkdirSync(args.values.out!, { recursive: true });
const path = join(args.values.out!, `replication-${startedAt.replace(/[:.]/g, "-")}.json`);
writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(
  join(args.values.out!, "replication-latest.json"),
  `${JSON.stringify(report, null, 2)}\n`,
);

for (const s of report.scenarios) {
  process.stdout.write(`\n${s.name}\n  replication lag (ms)           p50     p99\n`);
  for (const [pair, st] of Object.entries(s.lag)) {
    process.stdout.write(
      `  ${pair.padEnd(28)} ${st.latencyMsP50.toFixed(1).padStart(6)}  ${st.latencyMsP99.toFixed(1).padStart(6)}\n`,
    );
  }
  for (const [flow, r] of Object.entries(s.regionOverZone)) {
    const st = s.regionWritesCnEast[flow as keyof typeof s.regionWritesCnEast];
    process.stdout.write(
      `  ${flow} region survival: p50 ${st.latencyMsP50.toFixed(1)} ms, p99 ${st.latencyMsP99.toFixed(1)} ms (${r.p50}× / ${r.p99}× zone)\n`,
    );
  }
}
process.stdout.write(`\nResults: ${path}\n`);
