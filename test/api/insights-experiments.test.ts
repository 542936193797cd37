// A/B experiments on a real region (workerd + libSQL), issue 12 item 4, with the default
// rules and built-in variants: no tenant configuration. The first test is the whole story,
// step by step: reps' answers push a built-in strategy under 65% adoption → it is flagged →
// its experiment starts and shows each insight one arm, by a hash of the experiment and
// insight ids → answers favour the variant → it wins with confidence → an admin promotes it
// (audited, served to every later analysis) → revert restores the control → it can be
// promoted again, on the running phase's answers only. The other tests set up what they
// need themselves: the admin checks run their own experiment, on another strategy.
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

/** A built-in strategy under test, its built-in variant, and a call that suggests it. */
type Subject = {
  strategy: string;
  variant: string;
  controlTitle: string;
  variantTitle: string;
  call: { transcript: Array<{ speaker: string; text: string }> };
};

function subject(strategy: string, customerSays: string): Subject {
  const [variant] = DEFAULT_VARIANTS[strategy]!;
  return {
    strategy,
    variant: variant!.id,
    controlTitle: (DEFAULT_TEMPLATES.find((t) => t.strategy === strategy)!.title as { en: string })
      .en,
    variantTitle: variant!.title.en!,
    call: {
      transcript: [
        { speaker: "rep", text: "Thanks for taking the time. Where do we stand?" },
        { speaker: "customer", text: customerSays },
      ],
    },
  };
}

/** The value case: an English call whose one suggestion it is (price raised, budget unknown). */
const VALUE = subject("generic.value-case", "Honestly, the price is too high for us.");
/** The service commitment, for the tests that need an experiment but not its story. */
const SERVICE = subject("generic.sla-commitment", "Honestly, your support is too slow for us.");
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
  // with a call that suggests nothing (the loops rely on each insight's record).
  const warm = await integrator()("POST", "/v1/insights/analyze", {
    transcript: [{ speaker: "rep", text: "Good morning, thanks for joining." }],
  });
  expect(warm.status).toBe(200);
});

type Arm = { variant: string; answered: number; adopted: number; interval95: [number, number] };
type Tally = Map<string, { answered: number; adopted: number }>;

async function strategyRow(strategy: string) {
  const res = await integrator()("GET", "/v1/insights/strategies");
  expect(res.status).toBe(200);
  return res.body.strategies.find((r: { strategy: string }) => r.strategy === strategy);
}

/** One analysis of the subject's call: its id and the subject's action's title as shown. */
async function analyse(s: Subject): Promise<{ id: string; title: string }> {
  const res = await integrator()("POST", "/v1/insights/analyze", s.call);
  expect(res.status).toBe(200);
  // No inference worker runs beside this region: the rules-only analysis has the actions.
  const analysis = res.body.insights ?? res.body.rulesOnly;
  const action = analysis.actions.find((a: { strategy: string }) => a.strategy === s.strategy);
  expect(action, JSON.stringify(analysis.actions)).toBeDefined();
  return { id: res.body.id, title: action.title };
}

/** An answer; an insight whose record missed the analysis' budget is answered once stored. */
async function answer(s: Subject, id: string, adopted: boolean) {
  await eventually(async () => {
    const res = await integrator()("POST", `/v1/insights/${id}/feedback`, {
      strategy: s.strategy,
      adopted,
    });
    if (res.status === 404) return undefined;
    expect(res.status).toBe(200);
    return true;
  });
}

const armOf = (s: Subject, title: string) =>
  title === s.variantTitle ? s.variant : title === s.controlTitle ? CONTROL : `unknown: ${title}`;

/**
 * 20 answers on `s`, one in five adopted: at 20 the rule has enough, and the interval
 * (0.08–0.42) lies wholly below 65%. Its experiment starts with the last one; its row.
 */
async function flag(s: Subject) {
  for (let i = 1; i <= 20; i++) {
    const { id, title } = await analyse(s);
    expect(title).toBe(s.controlTitle);
    if (i === 20) expect((await strategyRow(s.strategy)).experiment).toBeNull();
    await answer(s, id, i % 5 === 0);
  }
  const row = await strategyRow(s.strategy);
  expect(row.experiment?.status).toBe("running");
  return row;
}

/** The policy-change audit entries of `strategy`'s experiment, oldest first. */
async function auditedChanges(strategy: string) {
  const audit = await admin()("GET", "/v1/audit/entries?kind=policy-change&limit=200");
  expect(audit.status).toBe(200);
  return audit.body.entries.filter(
    (e: { detail: { change?: string; strategy?: string } }) =>
      e.detail.change?.startsWith("insight-strategy.") && e.detail.strategy === strategy,
  );
}

/** Every exchange with the strategies routes since `mark` matches the published document. */
async function expectDocumented(mark: number) {
  const doc = (await readJson(await fetch(`${region().url}/v1/openapi.json`))) as OpenApiDoc;
  const ours = recordedExchanges()
    .slice(mark)
    .filter((e) => e.target.startsWith("/v1/insights/strategies"));
  expect(ours.length).toBeGreaterThan(3);
  expect(ours.flatMap((e) => responseIssues(doc, e))).toEqual([]);
}

describe("an A/B experiment", () => {
  test("a flagged strategy is tested, its winner promoted, reverted and promoted again, on its randomised answers only", async () => {
    const s = VALUE;
    const mark = recordedExchanges().length;
    const promotePath = `/v1/insights/strategies/${s.strategy}/promote`;
    const revertPath = `/v1/insights/strategies/${s.strategy}/revert`;

    // 1. Answers push the strategy under 65%: it is flagged and its experiment starts.
    const flagged = await flag(s);
    expect(flagged).toMatchObject({
      answered: 20,
      adopted: 4,
      flag: "ab-test",
      assessment: "ab-test",
    });
    expect(flagged.interval95[1]).toBeLessThan(0.65);
    expect(flagged.experiment).toMatchObject({
      status: "running",
      promoted: null,
      winner: null,
      countedUntil: null,
      changes: [],
    });
    expect(flagged.experiment.id).toMatch(/^exp_[0-9a-f]{32}$/);
    expect(flagged.experiment.variants).toEqual([
      expect.objectContaining({ variant: CONTROL, control: true, answered: 0, interval95: null }),
      expect.objectContaining({
        variant: s.variant,
        control: false,
        answered: 0,
        title: expect.objectContaining({ en: s.variantTitle }),
      }),
    ]);
    const experimentId: string = flagged.experiment.id;
    const arms: string[] = flagged.experiment.variants.map((v: Arm) => v.variant);

    // 2. Each insight is shown the arm the hash of (experiment, insight) assigns. Reps adopt
    // the variant every time and the control one time in five, until the variant wins.
    const tally: Tally = new Map();
    for (let i = 0; i < MAX_ANALYSES; i++) {
      const { id, title } = await analyse(s);
      const arm = armOf(s, title);
      expect(arm).toBe(assignArm(experimentId, id, arms));
      const t = tally.get(arm) ?? { answered: 0, adopted: 0 };
      const adopted = arm === s.variant || t.answered % 5 === 4;
      await answer(s, id, adopted);
      // Answering again replaces the answer: one insight is one answer of one arm.
      if (i === 0) await answer(s, id, adopted);
      tally.set(arm, { answered: t.answered + 1, adopted: t.adopted + Number(adopted) });
      if (i === 10) {
        // Too early to promote: no arm has won with confidence yet.
        const early = await admin()("POST", promotePath, { variant: s.variant }, key("early"));
        expect(early.status).toBe(409);
        expect(early.body).toMatchObject({
          type: "urn:lifeline:problem:no-confident-winner",
          winner: null,
        });
      }
      if (tally.size === 2 && [...tally.values()].every((a) => a.answered >= 20)) break;
    }
    const won = (await strategyRow(s.strategy)).experiment;
    expect(won).toMatchObject({ status: "running", winner: s.variant });
    const [control, variant] = won.variants as Arm[];
    expect(control).toMatchObject({ variant: CONTROL, ...tally.get(CONTROL) });
    expect(variant).toMatchObject({ variant: s.variant, ...tally.get(s.variant) });
    // The win as the rule states it: the variant's interval wholly above the control's.
    expect(variant!.interval95[0]).toBeGreaterThan(control!.interval95[1]);

    // 3. The admin promotes the winner: audited once; a retry under the same key is the
    // same change, another request under it is refused.
    const promotion = key("promote");
    const promoted = await admin()("POST", promotePath, { variant: s.variant }, promotion);
    expect(promoted.status).toBe(200);
    expect(promoted.body.experiment).toMatchObject({
      status: "promoted",
      promoted: s.variant,
      winner: s.variant,
      countedUntil: expect.any(String),
      changes: [{ action: "promote", variant: s.variant, by: "usr_admin" }],
    });
    const again = await admin()("POST", promotePath, { variant: s.variant }, promotion);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.experiment.changes).toHaveLength(1);
    expect((await admin()("POST", revertPath, undefined, promotion)).status).toBe(422);
    const [audited] = await auditedChanges(s.strategy);
    expect(audited.detail).toMatchObject({
      tenantId: "ten_demo",
      by: "usr_admin",
      change: "insight-strategy.promote",
      experimentId,
      from: { status: "running", promoted: null },
      to: { status: "promoted", promoted: s.variant },
      arms: [
        { variant: CONTROL, ...tally.get(CONTROL) },
        { variant: s.variant, ...tally.get(s.variant) },
      ],
    });

    // 4. Promoted, every analysis shows the variant; none was drawn at random, so their
    // answers (all declined here) count for no arm.
    for (let i = 0; i < 8; i++) {
      const { id, title } = await analyse(s);
      expect(title).toBe(s.variantTitle);
      await answer(s, id, false);
    }
    const served = (await strategyRow(s.strategy)).experiment;
    expect(served.variants.map((a: Arm) => [a.answered, a.adopted])).toEqual(
      won.variants.map((a: Arm) => [a.answered, a.adopted]),
    );

    // 5. Revert restores the control for every analysis, uncounted too; again changes nothing.
    expect((await rep()("POST", revertPath, undefined, key("rep-revert"))).status).toBe(403);
    const reverted = await admin()("POST", revertPath, undefined, key("revert"));
    expect(reverted.status).toBe(200);
    expect(reverted.body.experiment).toMatchObject({
      status: "reverted",
      promoted: null,
      countedUntil: promoted.body.experiment.countedUntil,
    });
    expect(reverted.body.experiment.changes.map((c: { action: string }) => c.action)).toEqual([
      "revert",
      "promote",
    ]);
    for (let i = 0; i < 8; i++) {
      const { id, title } = await analyse(s);
      expect(title).toBe(s.controlTitle);
      await answer(s, id, true);
    }
    const revertedAgain = await admin()("POST", revertPath, undefined, key("revert-again"));
    expect(revertedAgain.status).toBe(200);
    expect(revertedAgain.body.experiment.changes).toHaveLength(2);
    expect(revertedAgain.body.experiment.variants).toEqual(won.variants);

    // 6. Promoted again, on the same randomised answers: the audit shows the same arms.
    const repromoted = await admin()("POST", promotePath, { variant: s.variant }, key("again"));
    expect(repromoted.status).toBe(200);
    expect(repromoted.body.experiment.status).toBe("promoted");
    const changes = await auditedChanges(s.strategy);
    expect(changes.map((e: { detail: { change: string } }) => e.detail.change)).toEqual([
      "insight-strategy.promote",
      "insight-strategy.revert",
      "insight-strategy.promote",
    ]);
    expect(changes[2].detail.arms).toEqual(audited.detail.arms);

    await expectDocumented(mark);
  });

  test("only an admin promotes, only a variant, only with an Idempotency-Key", async () => {
    const s = SERVICE;
    const mark = recordedExchanges().length;
    await flag(s);
    const path = `/v1/insights/strategies/${s.strategy}/promote`;
    const byRep = await rep()("POST", path, { variant: s.variant }, key("rep"));
    expect(byRep.status).toBe(403);
    expect(byRep.headers.get("content-type")).toMatch(/application\/problem\+json/);
    const byIntegrator = await integrator()("POST", path, { variant: s.variant }, key("int"));
    expect(byIntegrator.status).toBe(403);
    const control = await admin()("POST", path, { variant: CONTROL }, key("control"));
    expect(control.status).toBe(422);
    expect(control.body.errors[0].field).toBe("variant");
    const unknown = await admin()("POST", path, { variant: "nope" }, key("unknown"));
    expect(unknown.status).toBe(422);
    const noKey = await fetch(`${region().url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ variant: s.variant }),
    });
    expect(noKey.status).toBe(400);
    expect((await readJson(noKey)).type).toMatch(/idempotency-key|validation/);
    const noExperiment = await admin()(
      "POST",
      "/v1/insights/strategies/generic.close-now/promote",
      { variant: s.variant },
      key("none"),
    );
    expect(noExperiment.status).toBe(404);
    // Nothing above changed the experiment.
    expect((await strategyRow(s.strategy)).experiment).toMatchObject({
      status: "running",
      changes: [],
    });
    await expectDocumented(mark);
  });
});

describe("variants in a tenant's rules", () => {
  test("a tenant's template may carry variants; one the template could not stand in for is a 400 naming it", async () => {
    const before = await integrator()("GET", "/v1/insights/rules");
    expect(before.status).toBe(200);
    const template = DEFAULT_TEMPLATES.find((t) => t.strategy === VALUE.strategy)!;
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
