// The chaos report (DESIGN §9): one self-contained HTML page (inline CSS and SVG, no
// scripts, nothing fetched) plus the JSON of run and verdict. Every string from the run is
// hostile input and is escaped; every list drawn from it is bounded.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { latencyStats, type PhaseStats, type Tally, type Verdict } from "./checker.ts";
import {
  type CompletionOp,
  type FaultWindow,
  type InvokeOp,
  type ModeChange,
  type Run,
  toJsonl,
} from "./history.ts";

const ESC: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
/** Text and attribute values alike; control characters other than tab and newline go too. */
export function esc(x: unknown): string {
  return String(x)
    .replace(/[&<>"']/g, (c) => ESC[c]!)
    .replace(/\p{Cc}/gu, (c) => (c === "\t" || c === "\n" || c === "\r" ? c : "\ufffd"));
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const arr = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const clip = (s: unknown, n = 120) => {
  const t = String(s);
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};
const fmtMs = (x: unknown) => (num(x) ? `${Math.round(x * 10) / 10}` : "–");
const fmtS = (x: unknown) => (num(x) ? `${(x / 1000).toFixed(1)} s` : "–");
const fmtPct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(2)}%`);

/** Rows of the timeline: at most this many regions, the rest summed as "(other)". */
const MAX_REGIONS = 8;
/** At most this many buckets; beyond, a bucket covers more than 1 s. */
const MAX_BUCKETS = 1_200;
/** Mode changes listed in the table, and labelled in the chart per region. */
const MAX_MODE_ROWS = 500;
const MAX_MODE_LABELS = 24;
/** Room a mode label takes (a marker and 20 characters at 10 px). */
const LABEL_PX = 110;

type Bucket = { ok: number; errors: number; latencies: number[] };
type Series = { region: string; buckets: Bucket[] };

type Timeline = {
  endMs: number;
  bucketMs: number;
  series: Series[];
  faults: FaultWindow[];
  modes: ModeChange[];
};

function timeline(run: Run): Timeline {
  const history = arr<Record<string, unknown>>(run.history).filter(isObj);
  const invokes = new Map<string, InvokeOp>();
  let endMs = isObj(run.final) && num(run.final.timeMs) ? run.final.timeMs : 0;
  for (const h of history) {
    if (num(h.time)) endMs = Math.max(endMs, h.time);
    if (h.type === "invoke" && typeof h.op === "string") invokes.set(h.op, h as InvokeOp);
  }
  const faults = arr<FaultWindow>(run.faults).filter(isObj);
  for (const w of faults) if (num(w.endMs)) endMs = Math.max(endMs, w.endMs);
  endMs = Math.max(endMs, 1000);
  const bucketMs = Math.max(1000, Math.ceil(endMs / MAX_BUCKETS / 1000) * 1000);
  const n = Math.ceil(endMs / bucketMs) + 1;
  const names: string[] = Object.keys(isObj(run.regions) ? run.regions : {}).slice(0, MAX_REGIONS);
  const rows = new Map<string, Bucket[]>();
  const row = (region: string) => {
    let key = region;
    if (!rows.has(key) && rows.size >= MAX_REGIONS) key = "(other)";
    let b = rows.get(key);
    if (!b) {
      b = Array.from({ length: n }, () => ({ ok: 0, errors: 0, latencies: [] }));
      rows.set(key, b);
    }
    return b;
  };
  for (const r of names) row(r);
  for (const h of history) {
    if (h.type === "invoke" || !num(h.time)) continue;
    const done = h as unknown as CompletionOp;
    const lastAttempt = arr<{ region?: unknown }>(done.attempts).at(-1);
    const invoke = typeof done.op === "string" ? invokes.get(done.op) : undefined;
    const region = [done.region, lastAttempt?.region, invoke?.target].find(
      (x) => typeof x === "string",
    ) as string | undefined;
    const i = Math.min(n - 1, Math.max(0, Math.floor(done.time / bucketMs)));
    const b = row(region ?? "(unknown)")[i]!;
    if (done.type === "ok") {
      b.ok++;
      if (num(done.latencyMs)) b.latencies.push(done.latencyMs);
    } else b.errors++;
  }
  const modes = arr<ModeChange>(run.modeChanges).filter(
    (m) => isObj(m) && num(m.timeMs) && typeof m.region === "string",
  );
  return {
    endMs,
    bucketMs,
    series: [...rows].map(([region, buckets]) => ({ region, buckets })),
    faults,
    modes,
  };
}

// ---------------------------------------------------------------- the SVG

const W = 1080;
const LABEL_W = 110;
const GAP = 28;
const ROW_H = 118;
const TOP = 58;
/** Average width of an 11 px character, to clip labels to their room. */
const CHAR_PX = 6.4;
const PLOT_H = 84;
const COL_W = (W - LABEL_W - GAP * 3) / 3;
const COLORS = {
  ok: "#1f5fa8",
  p99: "#a14a00",
  errors: "#b71c1c",
  enter: "#6a1b9a",
  leave: "#1b5e20",
};

function niceStep(spanMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200].map(
    (s) => s * 1000,
  );
  return steps.find((s) => spanMs / s <= 8) ?? Math.ceil(spanMs / 8 / 3_600_000) * 3_600_000;
}
const niceMax = (x: number) => {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 5, 10].find((m) => m * p >= x) ?? 10) * p;
};

type Metric = {
  key: "ok" | "p99" | "errors";
  title: string;
  unit: string;
  value: (b: Bucket) => number | null;
};

function svgTimeline(run: Run, t: Timeline): string {
  const per = t.bucketMs / 1000;
  const metrics: Metric[] = [
    { key: "ok", title: "Throughput", unit: "ok ops/s", value: (b) => b.ok / per },
    {
      key: "p99",
      title: "p99 latency",
      unit: "ms",
      value: (b) => latencyStats(b.latencies)?.p99 ?? null,
    },
    { key: "errors", title: "Errors", unit: "fail+info per bucket", value: (b) => b.errors },
  ];
  const max = metrics.map((m) => {
    let v = 0;
    for (const s of t.series) for (const b of s.buckets) v = Math.max(v, m.value(b) ?? 0);
    return niceMax(v);
  });
  const H = TOP + t.series.length * ROW_H + 30;
  const x = (col: number, ms: number) => LABEL_W + col * (COL_W + GAP) + (ms / t.endMs) * COL_W;
  const out: string[] = [];
  const title = `Timeline of ${clip(run.scenario, 60)}, seed ${clip(run.seed, 30)}: per region, throughput, p99 latency and errors per ${per} s bucket`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="tl-title tl-desc" font-family="system-ui, sans-serif" font-size="11">`,
    `<title id="tl-title">${esc(title)}</title>`,
    `<desc id="tl-desc">${esc(`${t.faults.length} fault window(s), shaded and labelled; ${t.modes.length} degradation mode change(s), marked per region (▲ entered, ▼ left).`)}</desc>`,
  );
  // Column headings and fault labels.
  metrics.forEach((m, col) => {
    out.push(
      `<text x="${x(col, 0)}" y="14" font-weight="600" fill="#1a1a1a">${esc(m.title)} <tspan fill="#555" font-weight="400">(${esc(m.unit)}, max ${esc(fmtMs(max[col]))})</tspan></text>`,
    );
  });
  t.faults.forEach((w, i) => {
    const start = num(w.startMs) ? w.startMs : 0;
    const end = num(w.endMs) ? w.endMs : t.endMs;
    const label = `${clip(w.name, 40)}${num(w.endMs) ? "" : " (never healed)"}`;
    for (let col = 0; col < 3; col++) {
      const x0 = x(col, start);
      const wpx = Math.max(1.5, x(col, end) - x0);
      out.push(
        `<rect class="fault" x="${x0.toFixed(1)}" y="${TOP - 8}" width="${wpx.toFixed(1)}" height="${t.series.length * ROW_H}" fill="#f9a825" fill-opacity="0.16" stroke="#8d6e00" stroke-dasharray="3 2" stroke-width="0.8"><title>${esc(`fault ${clip(w.name, 80)}: ${fmtS(start)} – ${num(w.endMs) ? fmtS(w.endMs) : "never healed"}`)}</title></rect>`,
      );
      // Kept within the column: clipped, and right-aligned when it starts near the edge.
      const colEnd = x(col, t.endMs);
      const right = colEnd - x0 < 80;
      const room = right ? COL_W : colEnd - x0;
      const fitted = clip(label, Math.max(6, Math.floor(room / CHAR_PX)));
      out.push(
        `<text class="fault-label" x="${(right ? colEnd : x0 + 2).toFixed(1)}" y="${TOP - 12 - (i % 2) * 11}" text-anchor="${right ? "end" : "start"}" fill="#6d4c00">${esc(fitted)}</text>`,
      );
    }
  });
  t.series.forEach((s, r) => {
    const y0 = TOP + r * ROW_H;
    const yBase = y0 + PLOT_H;
    out.push(
      `<text x="4" y="${y0 + PLOT_H / 2}" font-weight="600" fill="#1a1a1a">${esc(clip(s.region, 16))}</text>`,
    );
    if (isObj(run.regions) && Object.hasOwn(run.regions, s.region))
      out.push(
        `<text x="4" y="${y0 + PLOT_H / 2 + 14}" fill="#555">${esc(clip(run.regions[s.region], 16))}</text>`,
      );
    metrics.forEach((m, col) => {
      const left = x(col, 0);
      out.push(
        `<rect x="${left}" y="${y0}" width="${COL_W}" height="${PLOT_H}" fill="none" stroke="#bbb" stroke-width="0.6"/>`,
      );
      const y = (v: number) => (yBase - (v / max[col]!) * PLOT_H).toFixed(1);
      const bx = (i: number) => x(col, i * t.bucketMs);
      if (m.key === "errors") {
        const bw = Math.max(1, (t.bucketMs / t.endMs) * COL_W);
        const bars = s.buckets
          .map((b, i) =>
            b.errors
              ? `M${bx(i).toFixed(1)} ${yBase}V${y(b.errors)}h${bw.toFixed(1)}V${yBase}z`
              : "",
          )
          .join("");
        if (bars) out.push(`<path d="${bars}" fill="${COLORS.errors}"/>`);
      } else {
        let d = "";
        let pen = false;
        s.buckets.forEach((b, i) => {
          const v = m.value(b);
          if (v === null) {
            pen = false;
            return;
          }
          d += `${pen ? "L" : "M"}${(bx(i) + 0.5).toFixed(1)} ${y(v)}`;
          pen = true;
        });
        if (d)
          out.push(`<path d="${d}" fill="none" stroke="${COLORS[m.key]}" stroke-width="1.4"/>`);
      }
    });
    // Degradation modes of this region, on every column.
    const mine = t.modes.filter((c) => c.region === s.region).sort((a, b) => a.timeMs - b.timeMs);
    let labelledTo = Number.NEGATIVE_INFINITY;
    mine.forEach((c, k) => {
      const color = c.entered ? COLORS.enter : COLORS.leave;
      const what = `${clip(c.region, 40)} ${c.entered ? "entered" : "left"} ${clip(c.mode, 40)} at ${fmtS(c.timeMs)}${c.reason ? ` (${clip(c.reason, 80)})` : ""}`;
      for (let col = 0; col < 3; col++) {
        const mx = Math.min(x(col, t.endMs), Math.max(x(col, 0), x(col, c.timeMs)));
        const tri = c.entered
          ? `M${(mx - 4).toFixed(1)} ${y0 + PLOT_H + 12}h8l-4 -7z`
          : `M${(mx - 4).toFixed(1)} ${y0 + PLOT_H + 5}h8l-4 7z`;
        out.push(
          `<g class="mode mode-${c.entered ? "enter" : "leave"}"><title>${esc(what)}</title><line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${y0}" y2="${y0 + PLOT_H}" stroke="${color}" stroke-dasharray="2 2" stroke-width="1"/><path d="${tri}" fill="${color}"/></g>`,
        );
      }
      // Labelled under the first column (running on under the next, where only markers
      // are) while labels do not overlap; the markers carry their full text as a tooltip.
      const mx = x(0, Math.max(0, Math.min(t.endMs, c.timeMs)));
      const right = mx + LABEL_PX > W;
      const from = right ? mx - LABEL_PX : mx;
      if (k < MAX_MODE_LABELS && from >= labelledTo) {
        labelledTo = from + LABEL_PX + 4;
        out.push(
          `<text x="${(right ? mx - 5 : mx + 5).toFixed(1)}" y="${y0 + PLOT_H + 22}" text-anchor="${right ? "end" : "start"}" fill="${color}" font-size="10">${esc(`${c.entered ? "▲" : "▼"} ${clip(c.mode, 20)}`)}</text>`,
        );
      }
    });
  });
  // Time axis under the last row.
  const axisY = TOP + t.series.length * ROW_H - 2;
  const step = niceStep(t.endMs);
  for (let col = 0; col < 3; col++) {
    for (let ms = 0; ms <= t.endMs; ms += step) {
      out.push(
        `<text x="${x(col, ms).toFixed(1)}" y="${axisY + 14}" text-anchor="middle" fill="#444">${esc(`${Math.round(ms / 1000)}s`)}</text>`,
      );
    }
  }
  out.push("</svg>");
  return out.join("\n");
}

// ---------------------------------------------------------------- tables

function invariantsTable(v: Verdict): string {
  const rows = arr<Verdict["invariants"][number]>(v.invariants).map((i) => {
    const list = arr<string>(i.violations);
    const more =
      num(i.count) && i.count > list.length
        ? `<p class="more">${esc(`${list.length} of ${i.count} shown`)}</p>`
        : "";
    const violations = list.length
      ? `<ul>${list.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>${more}`
      : "—";
    return `<tr class="${i.ok ? "pass" : "fail"}"><th scope="row"><code>${esc(i.name)}</code></th><td class="verdict">${i.ok ? "PASS" : "FAIL"}</td><td>${esc(i.summary)}</td><td class="num">${esc(i.count)}</td><td>${violations}</td></tr>`;
  });
  return `<table><caption>Invariants</caption><thead><tr><th scope="col">Invariant</th><th scope="col">Verdict</th><th scope="col">What was checked</th><th scope="col">Violations</th><th scope="col">Details</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function tallyCells(t: Tally): string {
  const l = t.latencyMs;
  return [
    t.ok,
    t.fail4xx,
    t.fail5xx,
    t.info,
    fmtPct(t.availability),
    fmtMs(l?.p50),
    fmtMs(l?.p95),
    fmtMs(l?.p99),
    fmtMs(l?.max),
  ]
    .map((c) => `<td class="num">${esc(c)}</td>`)
    .join("");
}

function phasesTable(v: Verdict): string {
  const phases = arr<PhaseStats>(v.stats?.phases);
  const rows = phases.flatMap((p) => {
    const when =
      p.kind === "no-fault"
        ? "outside every fault"
        : `${fmtS(p.startMs)} – ${p.endMs === null ? "never healed" : fmtS(p.endMs)}`;
    const flows = arr<PhaseStats["flows"][number]>(p.flows).filter(
      (f) => f.ok + f.fail4xx + f.fail5xx + f.info > 0,
    );
    const span = flows.length + 1;
    const head = `<tr class="phase"><th scope="rowgroup" rowspan="${span}">${esc(p.kind === "no-fault" ? "no fault" : clip(p.phase, 80))}<br><span class="muted">${esc(when)}</span>${p.p99Ratio !== null ? `<br><span class="muted">${esc(`p99 ×${p.p99Ratio.toFixed(2)} of no-fault`)}</span>` : ""}</th><th scope="row">all lifeline writes</th>${tallyCells(p.writes)}</tr>`;
    return [
      head,
      ...flows.map(
        (f) => `<tr><th scope="row" class="flow">${esc(f.flow)}</th>${tallyCells(f)}</tr>`,
      ),
    ];
  });
  return `<table><caption>Availability (ok / ok+5xx+info) and latency of ok operations (ms), per phase and flow</caption><thead><tr><th scope="col">Phase</th><th scope="col">Flow</th><th scope="col">ok</th><th scope="col">4xx</th><th scope="col">5xx</th><th scope="col">info</th><th scope="col">availability</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">max</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function faultsTable(t: Timeline): string {
  if (t.faults.length === 0) return "<p>No faults were injected.</p>";
  const rows = t.faults.map((w) => {
    const modes = arr<{ region: unknown; mode: unknown }>(w.expectModes)
      .filter(isObj)
      .map((e) => `${clip(e.region, 40)}: ${clip(e.mode, 40)}`)
      .join(", ");
    let params = "";
    try {
      params = clip(JSON.stringify(w.params ?? {}), 200);
    } catch {
      params = "(unprintable)";
    }
    return `<tr><th scope="row">${esc(clip(w.name, 80))}</th><td><code>${esc(params)}</code></td><td class="num">${esc(fmtS(w.startMs))}</td><td class="num">${esc(num(w.endMs) ? fmtS(w.endMs) : "never healed")}</td><td>${esc(modes || "—")}</td></tr>`;
  });
  return `<table><caption>Fault windows</caption><thead><tr><th scope="col">Fault</th><th scope="col">Parameters</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Expected modes</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function modesTable(t: Timeline): string {
  if (t.modes.length === 0) return "<p>No degradation mode changes were recorded.</p>";
  const sorted = [...t.modes].sort((a, b) => a.timeMs - b.timeMs);
  const rows = sorted
    .slice(0, MAX_MODE_ROWS)
    .map(
      (m) =>
        `<tr><td class="num">${esc(fmtS(m.timeMs))}</td><th scope="row">${esc(clip(m.region, 40))}</th><td>${esc(clip(m.mode, 60))}</td><td>${m.entered ? "▲ entered" : "▼ left"}</td><td>${esc(m.reason ? clip(m.reason, 160) : "")}</td></tr>`,
    );
  const more =
    sorted.length > MAX_MODE_ROWS
      ? `<p class="more">${esc(`${MAX_MODE_ROWS} of ${sorted.length} shown`)}</p>`
      : "";
  return `<table><caption>Degradation mode changes</caption><thead><tr><th scope="col">Time</th><th scope="col">Region</th><th scope="col">Mode</th><th scope="col">Change</th><th scope="col">Reason</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 1180px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: #444; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 4px; font-weight: 700; color: #fff; }
.badge.pass { background: #1b5e20; } .badge.fail { background: #b71c1c; }
pre { background: #f4f4f4; border: 1px solid #ddd; padding: 8px 12px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d0d0d0; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.verdict, th code { white-space: nowrap; } tr.fail td.verdict { color: #b71c1c; font-weight: 700; } tr.pass td.verdict { color: #1b5e20; font-weight: 700; }
tr.phase th, tr.phase td { border-top: 2px solid #999; }
th.flow { font-weight: 400; } .muted, .more { color: #555; font-size: 12px; }
ul { margin: 0; padding-left: 18px; }
.legend span { margin-right: 16px; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin-right: 4px; border: 1px solid #666; }
figure { margin: 0; }
`;

/** The report page: header, reproduce command, timeline, invariants, phases, faults, modes. */
export function renderHtml(run: Run, verdict: Verdict): string {
  const t = timeline(run);
  const failed = arr<Verdict["invariants"][number]>(verdict.invariants).filter((i) => !i.ok);
  const ok = verdict.ok === true;
  const status = ok ? "PASS" : `FAIL (${failed.length} invariant${failed.length === 1 ? "" : "s"})`;
  const stats = verdict.stats;
  const meta: Array<[string, string]> = [
    ["Scenario", clip(run.scenario, 200)],
    ["Seed", clip(run.seed, 60)],
    ["Commit", clip(run.commit, 80)],
    ["Started", clip(run.startedAt, 60)],
    ["Duration", fmtS(stats?.durationMs)],
    [
      "Operations",
      stats?.ops
        ? `${stats.ops.total} (${stats.ops.writes} writes, ${stats.ops.reads} reads): ${stats.ops.ok} ok, ${stats.ops.fail} fail, ${stats.ops.info} info`
        : "–",
    ],
    [
      "Converged",
      num(stats?.convergedAfterMs) ? `${fmtS(stats.convergedAfterMs)} after heal` : "never",
    ],
    [
      "Regions",
      Object.entries(isObj(run.regions) ? run.regions : {})
        .slice(0, 20)
        .map(([r, j]) => `${clip(r, 40)} (${clip(j, 20)})`)
        .join(", "),
    ],
  ];
  const per = t.bucketMs / 1000;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Lifeline chaos — ${clip(run.scenario, 80)} seed ${clip(run.seed, 30)}: ${status}`)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Lifeline chaos report — ${esc(clip(run.scenario, 80))} <span class="badge ${ok ? "pass" : "fail"}">${esc(status)}</span></h1>
<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>
</header>
<main>
<section aria-labelledby="h-repro">
<h2 id="h-repro">Reproduce</h2>
<pre><code>${esc(run.command)}</code></pre>
</section>
<section aria-labelledby="h-timeline">
<h2 id="h-timeline">Timeline</h2>
<figure>
${svgTimeline(run, t)}
<figcaption class="legend">
<span><i class="swatch" style="background:${COLORS.ok}"></i>throughput (ok ops/s)</span>
<span><i class="swatch" style="background:${COLORS.p99}"></i>p99 latency of ok ops</span>
<span><i class="swatch" style="background:${COLORS.errors}"></i>errors (fail + info)</span>
<span><i class="swatch" style="background:#f9a825;opacity:.5"></i>fault window</span>
<span style="color:${COLORS.enter}">▲ mode entered</span>
<span style="color:${COLORS.leave}">▼ mode left</span>
<span>${esc(`bucket: ${per} s, by completion time and answering region`)}</span>
</figcaption>
</figure>
</section>
<section aria-labelledby="h-inv">
<h2 id="h-inv">Invariants</h2>
${invariantsTable(verdict)}
</section>
<section aria-labelledby="h-avail">
<h2 id="h-avail">Availability and latency</h2>
${phasesTable(verdict)}
<p class="muted">${esc(targetsLine(verdict))}</p>
</section>
<section aria-labelledby="h-faults">
<h2 id="h-faults">Faults and degradation modes</h2>
${faultsTable(t)}
${modesTable(t)}
</section>
</main>
</body>
</html>
`;
}

function targetsLine(v: Verdict): string {
  const t = v.targets;
  if (!isObj(t)) return "";
  return `Targets: write availability ≥ ${fmtPct(t.writeAvailability)} outside faults, ≥ ${fmtPct(t.writeAvailabilityDuringFault)} inside; p99 ratio ${t.p99RatioMax === null ? "not judged" : `≤ ×${t.p99RatioMax}`}; convergence within ${fmtS(t.convergeWithinMs)}; modes entered within ${fmtS(t.modeGraceMs)} grace, left within ${fmtS(t.modeRecoverMs)}.`;
}

/** A file-name-safe rendering of a run's string. */
const safe = (x: unknown) =>
  String(x)
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .slice(0, 60) || "run";

function stamp(startedAt: unknown): string {
  const d = new Date(typeof startedAt === "string" ? startedAt : Number.NaN);
  const iso = (Number.isNaN(d.getTime()) ? new Date() : d).toISOString();
  return `${iso.slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** Writes `<scenario>-seed<seed>-<UTC start>.json` (run + verdict) and the `.html` beside it. */
export function writeReport(
  dir: string,
  run: Run,
  verdict: Verdict,
): { json: string; html: string; history: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${safe(run.scenario)}-seed${safe(run.seed)}-${stamp(run.startedAt)}`);
  const json = `${base}.json`;
  const html = `${base}.html`;
  // The history alone as JSONL too, one operation a line, for tools that read Jepsen-style logs.
  const history = `${base}.history.jsonl`;
  writeFileSync(json, `${JSON.stringify({ run, verdict }, null, 2)}\n`);
  writeFileSync(html, renderHtml(run, verdict));
  writeFileSync(history, toJsonl(run.history));
  return { json, html, history };
}
