// POST /v1/insights/analyze end to end on real regions (libSQL + `wrangler dev` with the
// inference worker beside the API, as `npm start` runs them): the analysis with the real
// ONNX model, tenant rules, feedback and adoption; and shedding with inference slow
// (a stand-in that answers after 10 s) or not running, with the lifeline flows unaffected.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLINIC_CALL, CLINIC_PROFILE } from "../../core/insights/fixtures.ts";
import { DEV_KEY, startTopology, type Topology } from "../../scripts/local-topology.ts";
import { INFERENCE_CONFIG, ROOT } from "../../scripts/region.ts";
import { devCredentials } from "../../scripts/seed.ts";
import { confirmPayment, draftContract, sendAndSign } from "../support/commands.ts";
import { client, eventually, login } from "../support/test-region.ts";

const SLOW_INFERENCE = join(ROOT, "test", "support", "slow-inference", "wrangler.toml");
/** The stand-in answers after this (its wrangler.toml); a shed answer must come long before. */
const SLOW_MS = 10_000;
const HASH = "a".repeat(64);

let real: Topology;
let slow: Topology;
let none: Topology;

beforeAll(async () => {
  [real, slow, none] = await Promise.all([
    startTopology(["cn-east", "eu-central"], { inferenceConfig: INFERENCE_CONFIG }),
    startTopology(["cn-east"], {
      inferenceConfig: SLOW_INFERENCE,
      vars: { SLOW_MS: String(SLOW_MS) },
    }),
    startTopology(["cn-east"]),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([real?.stop(), slow?.stop(), none?.stop()]);
});

const api = (t: Topology) => client(t.url("cn-east"), DEV_KEY);

/** The clinic call's customer is a small facility with a recommender on the line. */
const CLINIC_REQUEST = {
  transcript: CLINIC_CALL,
  industry: "medical-devices",
  profile: CLINIC_PROFILE,
};

describe("call analysis with the real sentiment model", () => {
  test("a 20-utterance Chinese call gets sentiment, signals, metrics, actions, the model version, and the gazetteer's competitor by name", async () => {
    expect(CLINIC_CALL).toHaveLength(20);
    const res = await api(real)("POST", "/v1/insights/analyze", CLINIC_REQUEST);
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-degraded")).toBeNull();
    const body = res.body;
    expect(body.id).toMatch(/^ins_cn-east_[0-9a-f]{32}$/);
    expect(body.recorded).toBe(true);
    expect(body.model).toEqual({ task: "sentiment-zh", version: expect.stringMatching(/\S/) });
    expect(body.rules).toMatchObject({ engine: "insights-rules/4", source: "tenant" });
    const { utterances, call, actions } = body.insights;
    expect(utterances).toHaveLength(20);
    expect(body.models).toEqual([body.model]);
    for (const u of utterances) {
      expect(["negative", "neutral", "positive"]).toContain(u.sentiment.label);
      // The most probable of three classes has at least a third.
      expect(u.sentiment.probability).toBeGreaterThanOrEqual(1 / 3);
      expect(u.sentiment.probability).toBeLessThanOrEqual(1);
    }
    const signals = utterances.flatMap((u: { signals: Array<{ kind: string }> }) => u.signals);
    const kinds = new Set(signals.map((s: { kind: string }) => s.kind));
    expect(kinds).toContain("price-sensitivity");
    expect(kinds).toContain("competitor-mention");
    // 华康医疗 is in the demo tenant's gazetteer (scripts/seed.ts), not in the defaults.
    expect(signals).toContainEqual(
      expect.objectContaining({ kind: "competitor-mention", competitor: "华康医疗" }),
    );
    expect(call.talkRatio.rep + call.talkRatio.customer).toBeCloseTo(1, 9);
    expect(call.longestMonologue.utterances).toBeGreaterThanOrEqual(1);
    expect(call.questionRate.rep).toBeGreaterThan(0);
    expect(actions.length).toBeGreaterThanOrEqual(1);
    expect(actions.length).toBeLessThanOrEqual(3);
    // A Chinese call gets its actions in Chinese.
    expect(body.insights.locale).toBe("zh");
    expect(actions[0].locale).toBe("zh");
    // A community clinic is never offered a flagship imaging system.
    expect(actions.map((a: { strategy: string }) => a.strategy).join(" ")).not.toMatch(/flagship/);
    expect(body.insights.signalsTruncated).toBe(false);
  });

  test("an English call gets sentiment from sentiment-en: the customer's complaint is negative", async () => {
    const res = await api(real)("POST", "/v1/insights/analyze", {
      transcript: [
        { speaker: "rep", text: "Thanks for your time. How is the pilot going?" },
        { speaker: "customer", text: "Honestly the price is too high and support is slow." },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-degraded")).toBeNull();
    expect(res.body.model).toEqual({ task: "sentiment-en", version: expect.stringMatching(/\S/) });
    expect(res.body.models).toEqual([res.body.model]);
    const [rep, customer] = res.body.insights.utterances;
    expect(["negative", "neutral", "positive"]).toContain(rep.sentiment.label);
    expect(customer.sentiment.label).toBe("negative");
    expect(customer.signals.length).toBeGreaterThan(0);
  });

  test("a call in both languages: each utterance read by its language's model, both named", async () => {
    const res = await api(real)("POST", "/v1/insights/analyze", {
      transcript: [
        { speaker: "rep", text: "您好，我是华东区的销售小王。" },
        { speaker: "customer", text: "Can we continue in English?" },
        { speaker: "customer", text: "价格比华康贵不少，售后响应也要快" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.model.task).toBe("sentiment-zh");
    expect(res.body.models.map((m: { task: string }) => m.task)).toEqual([
      "sentiment-zh",
      "sentiment-en",
    ]);
    for (const u of res.body.insights.utterances) expect(u.sentiment).not.toBeNull();
  });

  test("bad input is a problem+json 400 naming the field, and an unknown customer a 422", async () => {
    const empty = await api(real)("POST", "/v1/insights/analyze", { transcript: [] });
    expect(empty.status).toBe(400);
    expect(empty.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(empty.body.errors[0].pointer).toMatch(/^#\/transcript/);
    const speaker = await api(real)("POST", "/v1/insights/analyze", {
      transcript: [{ speaker: "bot", text: "hi" }],
    });
    expect(speaker.status).toBe(400);
    expect(speaker.body.errors[0].pointer).toBe("#/transcript/0/speaker");
    const unknownField = await api(real)("POST", "/v1/insights/analyze", {
      transcript: [{ speaker: "rep", text: "hi" }],
      mood: "happy",
    });
    expect(unknownField.status).toBe(400);
    const missing = await api(real)("POST", "/v1/insights/analyze", {
      transcript: [{ speaker: "rep", text: "你好" }],
      customerId: "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    });
    // As for contracts: a missing entity named in the body is a 422 naming the field.
    expect(missing.status).toBe(422);
    expect(missing.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(missing.body.errors[0].field).toBe("customerId");
  });
});

describe("sovereignty", () => {
  test("a call with a customer of another jurisdiction is refused with wrong-jurisdiction, and analysed in its own", async () => {
    const eu = client(real.url("eu-central"), DEV_KEY);
    const customer = await eu("POST", "/v1/customers", { name: "Berlin Klinik", residency: "eu" });
    expect(customer.status).toBe(201);
    const id = customer.body.id as string;
    // cn-east holds the masked projection once replication brings it.
    await eventually(async () => {
      const r = await api(real)("GET", `/v1/customers/${id}`);
      return r.status === 200 ? true : undefined;
    }, 15_000);
    const request = {
      customerId: id,
      transcript: [{ speaker: "customer", text: "The price is too high for our clinic." }],
    };
    const refused = await api(real)("POST", "/v1/insights/analyze", request);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/wrong-jurisdiction/);
    expect(refused.headers.get("lifeline-jurisdiction")).toBe("eu");
    const home = await eu("POST", "/v1/insights/analyze", request);
    expect(home.status).toBe(200);
    expect(home.body).toMatchObject({ customerId: id, region: "eu-central" });
  });
});

describe("feedback loop", () => {
  test("answers on suggested actions feed adoption per strategy; three answers are too few to flag", async () => {
    const call = api(real);
    const strategies: string[] = [];
    for (const adopted of [true, false, false]) {
      const res = await call("POST", "/v1/insights/analyze", CLINIC_REQUEST);
      const strategy = res.body.insights.actions[0].strategy as string;
      strategies.push(strategy);
      const fb = await call("POST", `/v1/insights/${res.body.id}/feedback`, { strategy, adopted });
      expect(fb.status).toBe(200);
      expect(fb.body).toEqual({ insightId: res.body.id, strategy, adopted });
    }
    expect(new Set(strategies).size).toBe(1);
    const report = await call("GET", "/v1/insights/strategies");
    expect(report.status).toBe(200);
    expect(report.body.threshold).toBe(0.65);
    const row = report.body.strategies.find(
      (r: { strategy: string }) => r.strategy === strategies[0],
    );
    // 1 in 3 is below 65%, but the rule needs 20 answers and an interval wholly below it.
    expect(row).toMatchObject({
      answered: 3,
      adopted: 1,
      flag: null,
      assessment: "too-few-answers",
    });
    expect(row.suggested).toBeGreaterThanOrEqual(3);
    expect(row.adoptionRate).toBeCloseTo(1 / 3, 9);
  });

  test("answering again replaces the answer; unknown insights are 404, unsuggested strategies 422", async () => {
    const call = api(real);
    const res = await call("POST", "/v1/insights/analyze", CLINIC_REQUEST);
    const { id } = res.body;
    const strategy = res.body.insights.actions[0].strategy;
    await call("POST", `/v1/insights/${id}/feedback`, { strategy, adopted: false });
    const again = await call("POST", `/v1/insights/${id}/feedback`, { strategy, adopted: true });
    expect(again.body.adopted).toBe(true);
    const unknown = await call("POST", `/v1/insights/ins_${"0".repeat(32)}/feedback`, {
      strategy,
      adopted: true,
    });
    expect(unknown.status).toBe(404);
    const other = await call("POST", `/v1/insights/${id}/feedback`, {
      strategy: "generic.never-suggested",
      adopted: true,
    });
    expect(other.status).toBe(422);
    expect(other.body.errors[0].field).toBe("strategy");
    const bad = await call("POST", `/v1/insights/${id}/feedback`, { strategy, adopted: "yes" });
    expect(bad.status).toBe(400);
  });

  test("an insight id names its region; feedback sent to another region is a 409 wrong-region saying where it lives", async () => {
    const res = await api(real)("POST", "/v1/insights/analyze", CLINIC_REQUEST);
    const { id } = res.body;
    expect(id).toMatch(/^ins_cn-east_[0-9a-f]{32}$/);
    const strategy = res.body.insights.actions[0].strategy;
    const eu = client(real.url("eu-central"), DEV_KEY);
    const elsewhere = await eu("POST", `/v1/insights/${id}/feedback`, { strategy, adopted: true });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toMatchObject({
      type: "urn:lifeline:problem:wrong-region",
      region: "cn-east",
    });
    const home = await api(real)("POST", `/v1/insights/${id}/feedback`, {
      strategy,
      adopted: true,
    });
    expect(home.status).toBe(200);
  });
});

describe("decision triggers over the customer's account (issue 12)", () => {
  const WIN_BACK = "trigger.competitor-price-win-back";
  const call = () => api(real);
  const priceCall = (customerId: string) => ({
    customerId,
    industry: "medical-devices",
    transcript: [{ speaker: "customer", text: "华康的报价比你们低不少，你们能便宜点吗？" }],
  });

  test("a customer that never bought from us and names a competitor's price fires the win-back, and feedback on it is recorded", async () => {
    const customer = await call()("POST", "/v1/customers", { name: "县人民医院", residency: "cn" });
    expect(customer.status).toBe(201);
    const res = await call()("POST", "/v1/insights/analyze", priceCall(customer.body.id));
    expect(res.status).toBe(200);
    const analysis = res.body.insights ?? res.body.rulesOnly;
    expect(analysis.account).toEqual({ status: "read" });
    const trigger = analysis.triggers.find((t: { strategy: string }) => t.strategy === WIN_BACK);
    expect(trigger).toMatchObject({ window: null, locale: "zh", evidence: [0] });
    expect(trigger.reason).toContain("华康医疗");
    const fb = await call()("POST", `/v1/insights/${res.body.id}/feedback`, {
      strategy: WIN_BACK,
      adopted: true,
    });
    expect(fb.status).toBe(200);
  });

  test("a deal both parties signed today keeps the win-back quiet; a call without a customer reads no account", async () => {
    const customer = await call()("POST", "/v1/customers", {
      name: "市妇幼保健院",
      residency: "cn",
    });
    const contract = await draftContract(call(), customer.body.id, 80_000_00, HASH);
    const signed = await sendAndSign(call(), contract.body.id, HASH, ["customer", "vendor"]);
    expect(signed.map((r) => r.status)).toEqual([200, 201, 201]);
    const res = await call()("POST", "/v1/insights/analyze", priceCall(customer.body.id));
    const analysis = res.body.insights ?? res.body.rulesOnly;
    expect(analysis.account).toEqual({ status: "read" });
    expect(analysis.triggers.map((t: { strategy: string }) => t.strategy)).not.toContain(WIN_BACK);
    const { customerId: _, ...anonymous } = priceCall(customer.body.id);
    const none = await call()("POST", "/v1/insights/analyze", anonymous);
    expect((none.body.insights ?? none.body.rulesOnly).account).toEqual({ status: "none" });
  });

  test("a tender named in the call keeps close-now away over the API too", async () => {
    const res = await call()("POST", "/v1/insights/analyze", {
      profile: { procurementAuthority: "budget-holder" },
      transcript: [{ speaker: "customer", text: "预算已经批了，但是要走招标流程。" }],
    });
    const analysis = res.body.insights ?? res.body.rulesOnly;
    expect(analysis.procurement).toMatchObject({ stage: "tender", budget: "approved" });
    const strategies = analysis.actions.map((a: { strategy: string }) => a.strategy);
    expect(strategies).toContain("generic.tender-process");
    expect(strategies).not.toContain("generic.close-now");
  });
});

describe("tenant rules", () => {
  test("a tenant's new gazetteer names its competitor in the next analysis, with a new fingerprint", async () => {
    const call = api(real);
    const before = await call("GET", "/v1/insights/rules");
    expect(before.status).toBe(200);
    const rules = {
      ...before.body.rules,
      competitors: [...before.body.rules.competitors, { name: "北辰器械", aliases: ["北辰"] }],
    };
    try {
      const put = await call("PUT", "/v1/insights/rules", { ...before.body, rules });
      expect(put.status).toBe(200);
      expect(put.body.fingerprint).not.toBe(before.body.fingerprint);
      const res = await call("POST", "/v1/insights/analyze", {
        transcript: [{ speaker: "customer", text: "我们现在用的是北辰的设备，价格便宜一些。" }],
      });
      expect(res.body.rules.fingerprint).toBe(put.body.fingerprint);
      expect(res.body.insights.utterances[0].signals).toContainEqual(
        expect.objectContaining({ kind: "competitor-mention", competitor: "北辰器械" }),
      );
    } finally {
      await call("PUT", "/v1/insights/rules", before.body);
    }
  });

  test("a pattern that could backtrack catastrophically is refused, naming it", async () => {
    const call = api(real);
    const { rules } = (await call("GET", "/v1/insights/rules")).body;
    const res = await call("PUT", "/v1/insights/rules", {
      rules: {
        ...rules,
        signals: [{ kind: "objection", keywords: ["不需要"], patterns: ["(a+)+b"] }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(res.body.errors[0].pointer).toMatch(/^#\/rules\/signals\/0\/patterns\/0/);
  });
});

describe("shedding: inference slow, failing or absent never holds an answer or a lifeline flow", () => {
  // These are about the isolate's own budget and breaker. Left alone, each region's
  // shipped policy puts it into inference-off within seconds and sheds before either acts
  // (test/api/degradation.test.ts proves that), so the demo tenant clears the mode here.
  beforeAll(async () => {
    const c = devCredentials();
    for (const t of [slow, none]) {
      const token = await login(t.url("cn-east"), {
        email: c.adminEmail,
        password: c.adminPassword,
      });
      const res = await client(t.url("cn-east"), token)(
        "PUT",
        "/v1/admin/degradation/modes/inference-off",
        { action: "clear", forMs: 3_600_000, reason: "test: exercise the budget and the breaker" },
      );
      expect(res.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 2_500)); // past every isolate's cached view
  });

  test("inference slower than its budget: the answer comes within the budget, insights null, Lifeline-Degraded: inference-off", async () => {
    const started = performance.now();
    const res = await api(slow)("POST", "/v1/insights/analyze", CLINIC_REQUEST);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-degraded")).toBe("inference-off");
    expect(res.body.insights).toBeNull();
    expect(res.body.shed.reason).toBe("timeout");
    // The rules still speak: signals, metrics and actions without sentiment.
    expect(res.body.rulesOnly.actions.length).toBeGreaterThan(0);
    expect(res.body.rulesOnly.utterances[0].sentiment).toBeNull();
    // Not a speed target: the stand-in answers after 10 s; the shed answer must not wait for it.
    expect(elapsed).toBeLessThan(SLOW_MS / 2);
  });

  test("after repeated timeouts the breaker opens and insights are shed without waiting", async () => {
    const call = api(slow);
    let reason = "";
    for (let i = 0; i < 5 && reason !== "breaker-open"; i++) {
      reason = (await call("POST", "/v1/insights/analyze", CLINIC_REQUEST)).body.shed.reason;
    }
    expect(reason).toBe("breaker-open");
  });

  test("with the inference worker not running, analysis is shed and customer, contract and payment flows are unaffected", async () => {
    const call = api(none);
    const analysis = await call("POST", "/v1/insights/analyze", CLINIC_REQUEST);
    expect(analysis.status).toBe(200);
    expect(analysis.headers.get("lifeline-degraded")).toBe("inference-off");
    expect(analysis.body.insights).toBeNull();
    expect(analysis.body.rulesOnly.actions.length).toBeGreaterThan(0);

    const customer = await call("POST", "/v1/customers", {
      name: "社区卫生服务中心",
      residency: "cn",
    });
    expect(customer.status).toBe(201);
    expect(customer.headers.get("lifeline-degraded")).toBeNull();
    const contract = await draftContract(call, customer.body.id, 120_000_00, HASH);
    expect(contract.status).toBe(201);
    const id = contract.body.id;
    const signed = await sendAndSign(call, id, HASH, ["customer", "vendor"]);
    expect(signed.map((r) => r.status)).toEqual([200, 201, 201]);
    const payment = await confirmPayment(call, id, "ICBC-INSIGHTS-SHED-1", 120_000_00);
    expect(payment.status).toBe(201);
    const read = await call("GET", `/v1/contracts/${id}`);
    expect(read.body.status).toBe("active");
    expect(read.body.paid).toEqual({ value: 120_000_00, currency: "CNY" });

    const health = await call("GET", "/v1/health");
    expect(health.body.degraded).toContain("inference-off");
  });
});
