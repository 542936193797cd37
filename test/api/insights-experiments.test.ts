// An A/B experiment end to end on a real region (workerd + libSQL), issue 12 item 4: reps'
// answers push a built-in strategy under 65% adoption → it is flagged → its experiment
// starts and shows each insight one arm, by a hash of the experiment and insight ids →
// answers favour the variant → it wins with confidence → an admin promotes it (audited,
// visible in the strategies answer, served to every later analysis) → revert restores the
// control. With the default rules and built-in variants: no tenant configuration.
import { beforeAll, describe, expect, test } from "vitest";
import { assignArm, CONTROL, DEFAULT_VARIANTS } from "../../core/insights/experiments.ts";
import { DEFAULT_TEMPLATES } from "../../core/insights/templates-default.ts";
import { type OpenApiDoc, recordedExchanges, responseIssues } from "../support/contract.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  REP,
  readJson,
  regionForSuite,
} from "../support/test-region.ts";

const STRATEGY = "generic.value-case";
const VARIANT = "tco-first";
const CONTROL_TITLE = (
  DEFAULT_TEMPLATES.find((t) => t.strategy === STRATEGY)!.title as {
    en: string;
  }
).en;
const VARIANT_TITLE = DEFAULT_VARIANTS[STRATEGY]![0]!.title.en!;
/** An English call whose one suggestion is the value case (price raised, budget unknown). */
const PRICE_CALL = {
  transcript: [
    { speaker: "rep", text: "Thanks for taking the time. Where do we stand?" },
    { speaker: "customer", text: "Honestly, the price is too high for us." },
  ],
};
/** Bounds the loops: far more analyses than the rule needs with these answers. */
const MAX_ANALYSES = 200;

const region = regionForSuite("cn-east");
let adminToken: string;
let repToken: string;
let n = 0;
const key = (what: string) => ({ "idempotency-key": `${what}-${Date.now()}-${n++}` });
const integrator = () => client(() => region().url, DEMO_KEY);
const admin = () => client(() => region().url, adminToken);
const rep = () => client(() => region().url, repToken);

beforeAll(async () => {
  [adminToken, repToken] = await Promise.all([
    login(region().url, ADMIN),
    login(region().url, REP),
  ]);
  // A fresh worker's first libSQL write can miss the analysis' recording budget; warm it
  // with a call that suggests nothing (the loop below relies on each insight's record).
  const warm = await integrator()("POST", "/v1/insights/analyze", {
    transcript: [{ speaker: "rep", text: "Good morning, thanks for joining." }],
  });
  expect(warm.status).toBe(200);
});

type Arm = { variant: string; answered: number; adopted: number; interval95: [number, number] };

async function strategyRow() {
  const res = await integrator()("GET", "/v1/insights/strategies");
  expect(res.status).toBe(200);
  return res.body.strategies.find((r: { strategy: string }) => r.strategy === STRATEGY);
}

/** One analysis of the price call: its id and the value case's title as shown. */
async function analyse(): Promise<{ id: string; title: string }> {
  const res = await integrator()("POST", "/v1/insights/analyze", PRICE_CALL);
  expect(res.status).toBe(200);
  // No inference worker runs beside this region: the rules-only analysis has the actions.
  const analysis = res.body.insights ?? res.body.rulesOnly;
  const action = analysis.actions.find((a: { strategy: string }) => a.strategy === STRATEGY);
  expect(action, JSON.stringify(analysis.actions)).toBeDefined();
  return { id: res.body.id, title: action.title };
}

/** An answer; an insight whose record missed the analysis' budget is answered once stored. */
async function answer(id: string, adopted: boolean) {
  await eventually(async () => {
    const res = await integrator()("POST", `/v1/insights/${id}/feedback`, {
      strategy: STRATEGY,
      adopted,
    });
    if (res.status === 404) return undefined;
    expect(res.status).toBe(200);
    return true;
  });
}

const armOf = (title: string) =>
  title === VARIANT_TITLE ? VARIANT : title === CONTROL_TITLE ? CONTROL : `unknown: ${title}`;

describe("an A/B experiment end to end", () => {
  let experimentId: string;
  let arms: string[];
  let promotion: Record<string, string>;

  test("answers push the strategy under 65%: it is flagged and its experiment starts", async () => {
    // 20 answers, one in five adopted: at 20 the rule has enough, and the interval
    // (0.08–0.42) lies wholly below 65%.
    for (let i = 1; i <= 20; i++) {
      const { id, title } = await analyse();
      expect(title).toBe(CONTROL_TITLE);
      if (i === 20) expect((await strategyRow()).experiment).toBeNull();
      await answer(id, i % 5 === 0);
    }
    const row = await strategyRow();
    expect(row).toMatchObject({ answered: 20, adopted: 4, flag: "ab-test", assessment: "ab-test" });
    expect(row.interval95[1]).toBeLessThan(0.65);
    expect(row.experiment).toMatchObject({
      status: "running",
      promoted: null,
      winner: null,
      changes: [],
    });
    expect(row.experiment.id).toMatch(/^exp_[0-9a-f]{32}$/);
    expect(row.experiment.variants).toEqual([
      expect.objectContaining({ variant: CONTROL, control: true, answered: 0, interval95: null }),
      expect.objectContaining({
        variant: VARIANT,
        control: false,
        answered: 0,
        title: expect.objectContaining({ en: VARIANT_TITLE }),
      }),
    ]);
    experimentId = row.experiment.id;
    arms = row.experiment.variants.map((v: Arm) => v.variant);
  });

  test("each insight is shown the arm the hash of (experiment, insight) assigns; answers favour the variant until it wins", async () => {
    const tally = new Map<string, { answered: number; adopted: number }>();
    let early = false;
    for (let i = 0; i < MAX_ANALYSES; i++) {
      const { id, title } = await analyse();
      const arm = armOf(title);
      // Deterministic: the server showed exactly what the pure assignment says.
      expect(arm).toBe(assignArm(experimentId, id, arms));
      // Reps adopt the variant every time and the control one time in five.
      const t = tally.get(arm) ?? { answered: 0, adopted: 0 };
      const adopted = arm === VARIANT || t.answered % 5 === 4;
      await answer(id, adopted);
      // Answering again replaces the answer: one insight is one answer of one arm.
      if (i === 0) await answer(id, adopted);
      tally.set(arm, { answered: t.answered + 1, adopted: t.adopted + Number(adopted) });
      if (!early && i === 10) {
        // Too early to promote: no arm has won with confidence yet.
        const res = await admin()(
          "POST",
          `/v1/insights/strategies/${STRATEGY}/promote`,
          { variant: VARIANT },
          key("early"),
        );
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({
          type: "urn:lifeline:problem:no-confident-winner",
          winner: null,
        });
        early = true;
      }
      if ([...tally.values()].length === 2 && [...tally.values()].every((a) => a.answered >= 20))
        break;
    }
    const { experiment } = await strategyRow();
    expect(experiment.status).toBe("running");
    expect(experiment.winner).toBe(VARIANT);
    const [control, variant] = experiment.variants as Arm[];
    expect(control).toMatchObject({ variant: CONTROL, ...tally.get(CONTROL) });
    expect(variant).toMatchObject({ variant: VARIANT, ...tally.get(VARIANT) });
    // The win as the rule states it: the variant's interval wholly above the control's.
    expect(variant!.interval95[0]).toBeGreaterThan(control!.interval95[1]);
  });

  test("only an admin promotes, only a variant, only with an Idempotency-Key", async () => {
    const path = `/v1/insights/strategies/${STRATEGY}/promote`;
    const byRep = await rep()("POST", path, { variant: VARIANT }, key("rep"));
    expect(byRep.status).toBe(403);
    expect(byRep.headers.get("content-type")).toMatch(/application\/problem\+json/);
    const byIntegrator = await integrator()("POST", path, { variant: VARIANT }, key("int"));
    expect(byIntegrator.status).toBe(403);
    const control = await admin()("POST", path, { variant: CONTROL }, key("control"));
    expect(control.status).toBe(422);
    expect(control.body.errors[0].field).toBe("variant");
    const unknown = await admin()("POST", path, { variant: "nope" }, key("unknown"));
    expect(unknown.status).toBe(422);
    const noKey = await fetch(`${region().url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ variant: VARIANT }),
    });
    expect(noKey.status).toBe(400);
    expect((await readJson(noKey)).type).toMatch(/idempotency-key|validation/);
    const noExperiment = await admin()(
      "POST",
      "/v1/insights/strategies/generic.close-now/promote",
      { variant: VARIANT },
      key("none"),
    );
    expect(noExperiment.status).toBe(404);
  });

  test("the winner is promoted: audited once, shown in the strategies answer, served to every later analysis", async () => {
    promotion = key("promote");
    const path = `/v1/insights/strategies/${STRATEGY}/promote`;
    const res = await admin()("POST", path, { variant: VARIANT }, promotion);
    expect(res.status).toBe(200);
    expect(res.body.experiment).toMatchObject({
      status: "promoted",
      promoted: VARIANT,
      winner: VARIANT,
      changes: [{ action: "promote", variant: VARIANT, by: "usr_admin" }],
    });
    // A retry with the same key is the same change; another request under it is refused.
    const again = await admin()("POST", path, { variant: VARIANT }, promotion);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.experiment.changes).toHaveLength(1);
    const reused = await admin()(
      "POST",
      `/v1/insights/strategies/${STRATEGY}/revert`,
      undefined,
      promotion,
    );
    expect(reused.status).toBe(422);

    const audit = await admin()("GET", "/v1/audit/entries?kind=policy-change&limit=200");
    expect(audit.status).toBe(200);
    const promoted = audit.body.entries.filter(
      (e: { detail: { change?: string } }) => e.detail.change === "insight-strategy.promote",
    );
    expect(promoted).toHaveLength(1);
    expect(promoted[0].detail).toMatchObject({
      tenantId: "ten_demo",
      by: "usr_admin",
      strategy: STRATEGY,
      experimentId,
      from: { status: "running", promoted: null },
      to: { status: "promoted", promoted: VARIANT },
    });
    expect(promoted[0].detail.arms).toHaveLength(2);

    expect((await strategyRow()).experiment).toMatchObject({
      status: "promoted",
      promoted: VARIANT,
    });
    for (let i = 0; i < 8; i++) expect((await analyse()).title).toBe(VARIANT_TITLE);
  });

  test("revert restores the control text for every analysis, audited; reverting again changes nothing", async () => {
    const path = `/v1/insights/strategies/${STRATEGY}/revert`;
    const byRep = await rep()("POST", path, undefined, key("rep-revert"));
    expect(byRep.status).toBe(403);
    const res = await admin()("POST", path, undefined, key("revert"));
    expect(res.status).toBe(200);
    expect(res.body.experiment).toMatchObject({ status: "reverted", promoted: null });
    expect(res.body.experiment.changes.map((c: { action: string }) => c.action)).toEqual([
      "revert",
      "promote",
    ]);
    for (let i = 0; i < 8; i++) expect((await analyse()).title).toBe(CONTROL_TITLE);
    const again = await admin()("POST", path, undefined, key("revert-again"));
    expect(again.status).toBe(200);
    expect(again.body.experiment.changes).toHaveLength(2);

    const audit = await admin()("GET", "/v1/audit/entries?kind=policy-change&limit=200");
    const changes = audit.body.entries
      .map((e: { detail: { change?: string } }) => e.detail.change)
      .filter((c: string | undefined) => c?.startsWith("insight-strategy."));
    expect(changes).toEqual(["insight-strategy.promote", "insight-strategy.revert"]);
  });

  test("every exchange with the strategies routes matches the published OpenAPI document", async () => {
    const doc = (await readJson(await fetch(`${region().url}/v1/openapi.json`))) as OpenApiDoc;
    const ours = recordedExchanges().filter((e) => e.target.startsWith("/v1/insights/strategies"));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.flatMap((e) => responseIssues(doc, e))).toEqual([]);
  });
});

describe("variants in a tenant's rules", () => {
  test("a tenant's template may carry variants; one the template could not stand in for is a 400 naming it", async () => {
    const before = await integrator()("GET", "/v1/insights/rules");
    expect(before.status).toBe(200);
    const template = DEFAULT_TEMPLATES.find((t) => t.strategy === STRATEGY)!;
    const withVariant = (title: { zh: string; en: string }) => ({
      ...before.body,
      rules: {
        ...before.body.rules,
        actions: {
          ...before.body.rules.actions,
          templates: [
            {
              ...template,
              variants: [
                { id: "ours", title, reason: { zh: "价格（{quotes}）", en: "Price ({quotes})" } },
              ],
            },
          ],
        },
      },
    });
    const bad = await integrator()(
      "PUT",
      "/v1/insights/rules",
      withVariant({ zh: "{months}个月", en: "In {months} months" }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(
      "#/rules/actions/templates/0/variants/0/title/en",
    );
    try {
      const good = await integrator()(
        "PUT",
        "/v1/insights/rules",
        withVariant({ zh: "讲价值", en: "Make the value case" }),
      );
      expect(good.status).toBe(200);
      expect(good.body.rules.actions.templates[0].variants[0].id).toBe("ours");
    } finally {
      await integrator()("PUT", "/v1/insights/rules", before.body);
    }
  });
});
