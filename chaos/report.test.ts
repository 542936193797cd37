// The report is one self-contained page that shows the run truthfully and escapes
// everything the run says, and its files land where and as named.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { check } from "./checker.ts";
import { type HistoryOp, parseHistory, type Run } from "./history.ts";
import { esc, renderHtml, writeReport } from "./report.ts";
import { CN, cleanBuilder, cleanRun, pay, REGIONS } from "./run-builder.test-support.ts";

const EVIL = "<script>alert(1)</script>";

describe("renderHtml", () => {
  test("is one self-contained page with the timeline, fault windows and mode markers", () => {
    const run = cleanRun();
    const html = renderHtml(run, check(run));
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<svg");
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*>\s*<title id="tl-title">/);
    expect(html).toContain('class="fault"');
    expect(html).toContain("slow-db cn-east");
    expect(html).toContain('class="mode mode-enter"');
    expect(html).toContain('class="mode mode-leave"');
    expect(html).toContain("cn-east entered reads-stale-ok at 15.0 s");
    expect(html).toContain(esc(run.command));
    expect(html).toContain(">PASS<");
    expect(html).toContain('<th scope="col">Invariant</th>');
    for (const r of Object.keys(REGIONS)) expect(html).toContain(`>${r}</text>`);
    // Nothing to fetch, nothing to run.
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  test("says FAIL and lists the violations of a failing run", () => {
    const run = cleanRun();
    run.final.convergedAfterMs = null;
    const html = renderHtml(run, check(run));
    expect(html).toContain("FAIL (1 invariant)");
    expect(html).toContain("the regions never converged after heal");
  });

  test("escapes hostile op ids, errors, regions and scenario names", () => {
    const b = cleanBuilder();
    b.op(
      { f: "payment.confirm", at: 30_000, value: pay("R-evil"), op: EVIL, process: 5 },
      {
        type: "fail",
        status: 503,
        region: EVIL,
        error: EVIL,
      },
    );
    b.mode(EVIL, `${EVIL}"'&`, true, 31_000);
    b.fault({
      name: EVIL,
      params: { region: EVIL },
      startMs: 29_000,
      endMs: null,
      expectModes: [{ region: EVIL, mode: EVIL }],
    });
    const run = b.build({ scenario: EVIL, command: `npm run chaos -- ${EVIL}`, commit: EVIL });
    run.final.leaks.push({ region: EVIL, ofJurisdiction: "cn", field: EVIL, where: EVIL });
    const html = renderHtml(run, check(run));
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // Escaped quotes cannot close an attribute.
    expect(html).not.toMatch(/"[^"<>]*<script/);
  });

  test("escapes control characters and every markup character", () => {
    expect(esc(`<a href="x">'&\u0000\u001b`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;\ufffd\ufffd",
    );
  });

  test("renders a 10,000-op run", () => {
    const b = cleanBuilder();
    const regions = Object.keys(REGIONS);
    for (let i = 0; i < 5_000; i++) {
      const r = regions[i % 3]!;
      b.op(
        {
          f: i % 4 ? "customer.get" : "payment.confirm",
          at: 40_000 + i * 60,
          process: 10 + (i % 50),
          value: i % 4 ? undefined : pay(`BULK-${i}`),
        },
        {
          type: i % 97 ? "ok" : "info",
          region: r,
          latencyMs: 10 + (i % 37),
          durability: "region",
          peerHasIt: true,
        },
      );
    }
    const run = b.build();
    expect(run.history.length).toBeGreaterThanOrEqual(10_000);
    const verdict = check(run);
    const html = renderHtml(run, verdict);
    expect(html).toContain("</html>");
    expect(html.length).toBeLessThan(2_000_000);
  });

  test("survives a run missing its parts", () => {
    const run = {
      scenario: "x",
      seed: 1,
      history: [{ type: "ok", time: -5, op: 1 }, null],
    } as unknown as Run;
    const html = renderHtml(run, check(run));
    expect(html).toContain("<svg");
    expect(html).toContain("history-well-formed");
  });
});

describe("writeReport", () => {
  const dir = mkdtempSync(join(tmpdir(), "lifeline-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("writes <scenario>-seed<seed>-<UTC timestamp>.json and .html, creating the dir", () => {
    const run = cleanRun();
    const verdict = check(run);
    const out = writeReport(join(dir, "nested", "reports"), run, verdict);
    expect(basename(out.json)).toBe("unit-seed7-20250102T030405Z.json");
    expect(basename(out.html)).toBe("unit-seed7-20250102T030405Z.html");
    const saved = JSON.parse(readFileSync(out.json, "utf8")) as { run: Run; verdict: unknown };
    expect(saved.run.history as HistoryOp[]).toEqual(run.history);
    expect(saved.verdict).toEqual(JSON.parse(JSON.stringify(verdict)));
    expect(readFileSync(out.html, "utf8")).toContain("<svg");
    // The history as JSONL beside them: one operation a line, read back as written.
    expect(parseHistory(readFileSync(out.history, "utf8"))).toEqual(run.history);
  });

  test("a hostile scenario name cannot leave the directory", () => {
    const run = cleanRun();
    run.scenario = "../../etc/passwd";
    const out = writeReport(dir, run, check(run));
    expect(out.json.startsWith(dir)).toBe(true);
    expect(basename(out.json)).toMatch(/^_etc_passwd-seed7-/);
    expect(existsSync(out.html)).toBe(true);
  });
});

test("renders the example report to /tmp/report-example.html", () => {
  // A fuller run to look at: traffic in every region, a slow-db window with its mode, and
  // one lost payment so a failure shows.
  const b = cleanBuilder();
  const regions = Object.keys(REGIONS);
  for (let i = 0; i < 1_200; i++) {
    const t = 1_000 + i * 30;
    const inFault = t >= 10_000 && t < 20_000;
    const region = regions[i % 3]!;
    b.op(
      { f: "payment.confirm", at: t, process: 20 + (i % 40), value: pay(`EX-${i}`) },
      {
        type: inFault && region === "cn-east" && i % 9 === 0 ? "info" : "ok",
        region,
        latencyMs: (inFault && region === "cn-east" ? 60 : 18) + (i % 13),
        durability: "region",
        peerHasIt: true,
      },
    );
  }
  const run = b.build({
    scenario: "slow-db",
    seed: 42,
    command: "npm run chaos -- run --scenario slow-db --seed 42",
  });
  run.final.regions["cn-south"]!.accounts[CN.accountId]!.contracts.ctr_CN_1!.payments.pop();
  writeFileSync("/tmp/report-example.html", renderHtml(run, check(run, { p99RatioMax: 1.2 })));
  expect(existsSync("/tmp/report-example.html")).toBe(true);
});
