// Federated learning across three real regions (cn-east coordinating, cn-south, eu-central;
// each workerd + libSQL, each signing with its own bound replication key), each holding
// different industries of our corpus for a customer of its own jurisdiction. Every byte
// that crosses between regions goes through a recording proxy, so "nothing raw crossed" is
// checked on what actually crossed, and the proxy plays the attacker on answers; the peer
// routes are also tried with forged, unsigned, oversized and other regions' requests.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sha256Hex } from "../../core/index.ts";
import type { SalesCallRow } from "../../ml/data/corpus.ts";
import { ABROAD, statedRows } from "../../ml/federated/border.ts";
import { encodeParams, paramsHash } from "../../ml/federated/codec.ts";
import { loadCorpus, partition, regionUtterances } from "../../ml/federated/corpus.ts";
import { DEFAULT_ROUND_CONFIG } from "../../ml/federated/round.ts";
import {
  MAX_FEDERATION_BODY_BYTES,
  PARAMS_LENGTH,
  PUBLISH_PATH,
  TRAIN_PATH,
} from "../../ml/federated/wire.ts";
import { keyRingOf, signRequest } from "../../replication/signing.ts";
import { freePort } from "../../scripts/processes.ts";
import {
  ADMIN,
  DEMO_KEY,
  eventually,
  login,
  REP,
  startTestRegion,
  type TestRegion,
} from "../support/test-region.ts";
import { findLeaks, Recorder } from "./recorder.ts";

const NAMES = ["cn-east", "cn-south", "eu-central"] as const;
type Name = (typeof NAMES)[number];
const JURISDICTION: Record<Name, string> = {
  "cn-east": "cn",
  "cn-south": "cn",
  "eu-central": "eu",
};
/** Each region signs with its own key, bound to it by its id; every region verifies all three. */
const KEYS = {
  "k1@cn-east": "a-replication-key-of-forty-bytes-000federation",
  "k1@cn-south": "a-replication-key-of-forty-bytes-111federation",
  "k1@eu-central": "a-replication-key-of-forty-bytes-222federation",
};
const ringOf = (r: Name) =>
  keyRingOf({ REPLICATION_KEYS: JSON.stringify(KEYS), REPLICATION_KEY_ID: `k1@${r}` });
const RING = ringOf("cn-east");

const recorder = new Recorder();
const regions = {} as Record<Name, TestRegion>;
const rows = {} as Record<Name, SalesCallRow[]>;
/** One customer per region, resident in its jurisdiction: the calls its rows come from. */
const customers = {} as Record<Name, string>;
let token = "";

const url = (r: Name) => regions[r].url;
/**
 * fetch, again (at most twice more) when wrangler's dev proxy answers that it swapped the
 * worker mid-request: that 503 comes from the local dev server, not from Lifeline.
 */
async function fetchOnce(input: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(input, init);
    const restarted =
      res.status === 503 &&
      (await res.clone().text()).startsWith("Your worker restarted mid-request");
    if (!restarted || attempt === 3) return res;
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

async function api(
  r: Name,
  method: string,
  path: string,
  body?: unknown,
  auth = `Bearer ${token}`,
  headers: Record<string, string> = {},
) {
  const res = await fetchOnce(`${url(r)}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...headers,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  const { split } = loadCorpus();
  const ports = {} as Record<Name, number>;
  for (const r of NAMES) {
    let port = await freePort();
    while (Object.values(ports).includes(port)) port = await freePort();
    ports[r] = port;
  }
  const peers = {} as Record<Name, Array<{ region: string; jurisdiction: string; url: string }>>;
  for (const from of NAMES) {
    peers[from] = [];
    for (const to of NAMES.filter((x) => x !== from))
      peers[from].push({
        region: to,
        jurisdiction: JURISDICTION[to],
        url: await recorder.link(from, to, () => `http://127.0.0.1:${ports[to]}`),
      });
  }
  const started = await Promise.all(
    NAMES.map((r) =>
      startTestRegion(r, {
        port: ports[r],
        peers: peers[r],
        bindings: { REPLICATION_KEYS: JSON.stringify(KEYS), REPLICATION_KEY_ID: `k1@${r}` },
      }),
    ),
  );
  NAMES.forEach((r, i) => {
    regions[r] = started[i]!;
  });
  token = await login(url("cn-east"), ADMIN);
  for (const r of NAMES) {
    const created = await api(
      r,
      "POST",
      "/v1/customers",
      { name: `Federation customer in ${r}`, residency: JURISDICTION[r] },
      `Bearer ${token}`,
      { "idempotency-key": `fed-customer-${r}` },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    customers[r] = created.body.id;
    // Each region its own industries, both languages: its train rows, and dev rows held out.
    const items = regionUtterances(split, r, customers[r]);
    rows[r] = [...partition(split.train, r), ...partition(split.dev, r)];
    for (let i = 0; i < items.length; i += 100) {
      const res = await api(r, "POST", "/v1/federation/utterances", {
        items: items.slice(i, i + 100),
      });
      expect(res.status).toBe(200);
    }
    expect(
      (await api(r, "PUT", "/v1/admin/federation/participation", { enabled: true })).status,
    ).toBe(200);
  }
}, 240_000);

afterAll(async () => {
  await Promise.all(NAMES.map((r) => regions[r]?.stop()));
  await recorder.close();
});

const runRounds = (rounds: number) =>
  api("cn-east", "POST", "/v1/admin/federation/rounds", { rounds, training: { seed: 5 } });

describe("federated rounds across cn-east, cn-south and eu-central", () => {
  test("[FL5][FL4] rounds complete, the version advances, and every region records its held-out decision", async () => {
    const res = await runRounds(2);
    expect(res.status).toBe(200);
    expect(res.body.coordinator).toBe("cn-east");
    const [first, second] = res.body.rounds;
    expect(first).toMatchObject({ round: 1, baseVersion: 0, outcome: "advanced", version: 1 });
    expect(second).toMatchObject({ round: 2, baseVersion: 1, outcome: "advanced", version: 2 });
    for (const round of res.body.rounds) {
      expect(
        round.updates.map((u: { region: string; kind: string }) => [u.region, u.kind]),
      ).toEqual(NAMES.map((r) => [r, "update"]));
      for (const u of round.updates) {
        // Abroad (eu-central) n is bucketed and the pre-clip norm unsaid [FL8]; at home exact.
        const abroad = JURISDICTION[u.region as Name] !== JURISDICTION["cn-east"];
        expect(u.n).toBe(statedRows(partition(loadCorpus().split.train, u.region).length, abroad));
        if (abroad) expect(u.norm).toBeNull();
        else expect(u.norm).toBeGreaterThan(0);
        expect(u.reclipped).toBe(false);
      }
      expect(
        round.decisions.map((d: { region: string; kind: string }) => [d.region, d.kind]),
      ).toEqual(NAMES.map((r) => [r, "decided"]));
    }
    for (const r of NAMES) {
      const status = await api(r, "GET", "/v1/federation/status");
      expect(status.status).toBe(200);
      expect(status.body.participating).toBe(true);
      const decided = status.body.decisions.map((d: { version: number }) => d.version);
      expect(decided).toEqual([2, 1]);
      for (const d of status.body.decisions) {
        expect(d.holdout).toBe(partition(loadCorpus().split.dev, r).length);
        expect(typeof d.reason).toBe("string");
      }
      // What a region serves is a version that passed its check there, or nothing.
      const served = status.body.served?.version ?? null;
      const passed = status.body.decisions.filter((d: { serve: boolean }) => d.serve);
      expect(served).toBe(passed[0]?.version ?? null);
    }
  }, 120_000);

  test("[FL1][LF4] no labelled text, nor any 12-character run of one (6 for Chinese), crossed between regions", () => {
    const crossed = recorder.exchanges;
    // Not vacuous: the rounds' requests and answers went through the proxies.
    const federation = crossed.filter((x) => x.path === TRAIN_PATH || x.path === PUBLISH_PATH);
    for (const to of ["cn-south", "eu-central"])
      for (const path of [TRAIN_PATH, PUBLISH_PATH])
        expect(
          federation.filter((x) => x.to === to && x.path === path && x.status === 200).length,
        ).toBeGreaterThanOrEqual(2);
    const bytes = crossed
      .map((x) => `${x.request.toString("utf8")}\n${x.response.toString("utf8")}`)
      .join("\n");
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const texts = NAMES.flatMap((r) => rows[r].map((x) => x.text));
    expect(findLeaks(bytes, texts, 12)).toEqual([]);
    const chinese = texts.filter((t) => /\p{Script=Han}/u.test(t));
    expect(findLeaks(bytes, chinese, 6)).toEqual([]);
    // And no Chinese character at all: nothing that crossed had any.
    expect(bytes.match(/\p{Script=Han}/u)).toBeNull();
  });

  test("[LF4] a region's labelled texts are in no other region's storage", () => {
    const filesOf = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        return statSync(p).isDirectory() ? filesOf(p) : [p];
      });
    for (const holder of NAMES) {
      const stored = filesOf(regions[holder].dataDir)
        .map((f) => readFileSync(f).toString("utf8"))
        .join("\n");
      const own = rows[holder].map((x) => x.text).join("\n");
      for (const owner of NAMES) {
        // Whole texts (runs of a dozen characters recur across industries in plain English),
        // except those within the holder's own ("好的谢谢" is said in every industry).
        const found = rows[owner].filter(
          (x) => (owner === holder || !own.includes(x.text)) && stored.includes(x.text),
        );
        if (owner === holder) expect(found.length).toBeGreaterThan(rows[holder].length / 2);
        else
          expect(
            found.map((x) => x.text),
            `${owner}'s texts in ${holder}'s storage`,
          ).toEqual([]);
      }
    }
  });

  test("[LF4][LF7] an update sent abroad is a cross-border transfer in the sender's audit chain; within cn it is not", async () => {
    const entries = async (r: Name) =>
      (await api(r, "GET", "/v1/audit/entries?kind=cross-border-transfer&limit=200")).body
        .entries as Array<{
        detail: Record<string, unknown>;
      }>;
    const eu = (await entries("eu-central")).filter((e) => e.detail.what === "federated-update");
    expect(eu.length).toBeGreaterThanOrEqual(2);
    expect(eu[0]!.detail).toMatchObject({
      from: "eu-central",
      to: "cn-east",
      toJurisdiction: "cn",
      tenantId: "ten_demo",
    });
    expect(Object.keys(eu[0]!.detail)).not.toContain("delta");
    const east = (await entries("cn-east")).filter((e) => e.detail.what === "federated-model");
    expect(east.map((e) => e.detail.to)).toEqual(expect.arrayContaining(["eu-central"]));
    expect(east.map((e) => e.detail.to)).not.toContain("cn-south");
    expect(
      (await entries("cn-south")).filter((e) => String(e.detail.what).startsWith("federated")),
    ).toEqual([]);
  });

  test("[FL5] the coordinator's cron trigger runs a round for a tenant taking part there", async () => {
    const rounds = async () => (await api("cn-east", "GET", "/v1/federation/status")).body.rounds;
    const before = (await rounds())[0].round;
    const res = await fetchOnce(`${url("cn-east")}/cdn-cgi/handler/scheduled?cron=17+3+*+*+*`, {});
    expect(res.status).toBe(200);
    const deadline = Date.now() + 30_000;
    let latest = (await rounds())[0];
    while (!(latest.round > before && latest.status !== "running") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      latest = (await rounds())[0];
    }
    expect(latest).toMatchObject({ round: before + 1, status: "advanced" });
  }, 60_000);

  test("[FL4] a region classifies with the version it serves, never one it refused", async () => {
    const status = (await api("cn-south", "GET", "/v1/federation/status")).body;
    const res = await api("cn-south", "POST", "/v1/federation/classify", {
      texts: ["价格太贵了，我们不考虑了", "The pilot went really well"],
    });
    if (status.served === null) {
      expect(res.status).toBe(404);
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(status.served.version);
    expect(res.body.results).toHaveLength(2);
  });
});

describe("[FL6] what a region accepts from the network", () => {
  const trainBody = (overrides: Record<string, unknown> = {}) => {
    const params = new Float32Array(PARAMS_LENGTH);
    return JSON.stringify({
      v: 1,
      from: "cn-east",
      to: "eu-central",
      tenantId: "ten_demo",
      round: 99,
      base: {
        version: 0,
        parent: null,
        round: 0,
        hash: paramsHash(params),
        params: encodeParams(params),
      },
      training: DEFAULT_ROUND_CONFIG.training,
      ...overrides,
    });
  };
  const send = (body: string, headers: Record<string, string>) =>
    fetchOnce(`${url("eu-central")}${TRAIN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const signed = (body: string) => signRequest(RING, body, Date.now());

  test("[FL6] an unsigned train request is refused before it is read", async () => {
    const res = await send(trainBody(), {});
    expect(res.status).toBe(401);
  });

  test("[FL6] a request signed with a key the region does not hold is refused", async () => {
    const body = trainBody();
    const forged = keyRingOf({
      REPLICATION_KEYS: JSON.stringify({ k1: "x".repeat(40) }),
      REPLICATION_KEY_ID: "k1",
    });
    expect((await send(body, signRequest(forged, body, Date.now()))).status).toBe(401);
  });

  test("[FL6] a body past the limit is refused with 413", async () => {
    const body = "x".repeat(MAX_FEDERATION_BODY_BYTES + 1);
    expect((await send(body, signed(body))).status).toBe(413);
  });

  test("[FL6] only the coordinator starts a round: a signed request from cn-south is refused", async () => {
    const body = trainBody({ from: "cn-south" });
    const res = await send(body, signed(body));
    const text = await res.clone().text();
    expect(res.status, text).toBe(403);
    expect(((await res.json()) as { type: string }).type).toContain("not-coordinator");
  });

  test("[FL6] a request correctly signed with cn-south's own key, claiming to come from the coordinator, is refused", async () => {
    const body = trainBody();
    const res = await send(body, signRequest(ringOf("cn-south"), body, Date.now()));
    const answer = (await res.json()) as { type: string; detail: string };
    expect(res.status).toBe(403);
    expect(answer.type).toContain("not-coordinator");
    expect(answer.detail).toContain("k1@cn-south");
  });

  /** A signed train request to eu-central on a base of its own (nobody asked about it before). */
  const askEu = async (base: Float32Array, training: Record<string, unknown>) => {
    const body = trainBody({
      base: {
        version: 0,
        parent: null,
        round: 0,
        hash: paramsHash(base),
        params: encodeParams(base),
      },
      training: { ...DEFAULT_ROUND_CONFIG.training, seed: 5, ...training },
    });
    const res = await send(body, signed(body));
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const freshBase = (value: number) => new Float32Array(PARAMS_LENGTH).fill(value);

  test("[FL8] abroad, a round asking for less noise than the floor is declined, saying why", async () => {
    const answer = await askEu(freshBase(0.001), {
      noiseMultiplier: ABROAD.minNoiseMultiplier / 2,
    });
    expect(answer).toMatchObject({
      kind: "declined",
      reason: "noise-below-floor",
      region: "eu-central",
    });
    expect(answer).not.toHaveProperty("delta");
  });

  test("[FL8][FL9] abroad an update states n in fifties and no norm; asked again it is the identical update, asked otherwise about the same base it is declined", async () => {
    const base = freshBase(0.002);
    const first = await askEu(base, {});
    expect(first).toMatchObject({ kind: "update", norm: null, noiseMultiplier: 0.01 });
    expect(first.n).toBe(
      statedRows(partition(loadCorpus().split.train, "eu-central").length, true),
    );
    expect((first.n as number) % ABROAD.rowsBucket).toBe(0);
    // A replay, a stalled round: the same question gets the same bits, nothing to average.
    const again = await askEu(base, {});
    expect(again.deltaHash).toBe(first.deltaHash);
    expect(again.delta).toBe(first.delta);
    // Another question about the same base (another shuffle seed) would be a fresh noise draw.
    const other = await askEu(base, { seed: 6 });
    expect(other).toMatchObject({ kind: "declined", reason: "base-answered" });
  });

  test("[FL1] a request asking for more than the schema allows (rows, texts) is refused", async () => {
    const body = trainBody({ sendRows: true });
    expect((await send(body, signed(body))).status).toBe(400);
  });

  test("[FL2] a base model whose bytes do not match its hash is refused", async () => {
    const params = new Float32Array(PARAMS_LENGTH);
    const body = trainBody({
      base: {
        version: 0,
        parent: null,
        round: 0,
        hash: sha256Hex("something else"),
        params: encodeParams(params),
      },
    });
    expect((await send(body, signed(body))).status).toBe(422);
  });

  test("[FL5] a version a region holds cannot come back with other bytes", async () => {
    const params = new Float32Array(PARAMS_LENGTH).fill(0.25);
    const body = JSON.stringify({
      v: 1,
      from: "cn-east",
      to: "eu-central",
      tenantId: "ten_demo",
      model: {
        version: 1,
        parent: 0,
        round: 1,
        hash: paramsHash(params),
        params: encodeParams(params),
      },
    });
    const res = await fetchOnce(`${url("eu-central")}${PUBLISH_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...signed(body) },
      body,
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { type: string }).type).toContain("model-version-conflict");
  });

  test("[FL2][FL6] a tampered or oversized update answer is refused by the coordinator and the round goes on without it", async () => {
    const train = (path: string, to: string) => path === TRAIN_PATH && to === "eu-central";
    recorder.tamper = ({ path, to }, body) => {
      if (!train(path, to)) return body;
      const answer = JSON.parse(body.toString("utf8"));
      return Buffer.from(JSON.stringify({ ...answer, n: 5_000 }));
    };
    try {
      const tampered = await runRounds(1);
      expect(tampered.status).toBe(200);
      const [round] = tampered.body.rounds;
      expect(round.outcome).toBe("advanced");
      const eu = round.updates.find((u: { region: string }) => u.region === "eu-central");
      expect(eu.kind).toBe("failed");
      expect(eu.reason).toMatch(/not signed/);
      recorder.tamper = ({ path, to }, body) =>
        train(path, to) ? Buffer.concat([body, Buffer.alloc(MAX_FEDERATION_BODY_BYTES)]) : body;
      const oversized = (await runRounds(1)).body.rounds[0];
      expect(
        oversized.updates.find((u: { region: string }) => u.region === "eu-central"),
      ).toMatchObject({
        kind: "failed",
        reason: expect.stringMatching(/too large/),
      });
      expect(oversized.outcome).toBe("advanced");
    } finally {
      recorder.tamper = null;
    }
  }, 120_000);

  test("[FL6] utterances are staff data: no credentials is 401, and an unknown field is a 400", async () => {
    const item = {
      id: "x-1",
      customerId: customers["eu-central"],
      lang: "en",
      text: "fine",
      label: "neutral",
    };
    expect(
      (await api("eu-central", "POST", "/v1/federation/utterances", { items: [item] }, "")).status,
    ).toBe(401);
    const extra = await api(
      "eu-central",
      "POST",
      "/v1/federation/utterances",
      { items: [{ ...item, note: "x" }] },
      `Bearer ${DEMO_KEY}`,
    );
    expect(extra.status).toBe(400);
    const tooMany = await api(
      "eu-central",
      "POST",
      "/v1/federation/utterances",
      { items: Array.from({ length: 101 }, (_, i) => ({ ...item, id: `x-${i}` })) },
      `Bearer ${DEMO_KEY}`,
    );
    expect(tooMany.status).toBe(400);
  });

  test("[FL5] rounds run on the coordinator only", async () => {
    const res = await api("eu-central", "POST", "/v1/admin/federation/rounds", { rounds: 1 });
    expect(res.status).toBe(409);
    expect(res.body.coordinator).toBe("cn-east");
  });
});

describe("[FL10] labelled utterances stay with their customer's jurisdiction", () => {
  const item = (id: string, customerId: string, use?: "train" | "holdout") => ({
    id,
    customerId,
    lang: "en",
    text: "The delivery slipped a week again.",
    label: "negative",
    ...(use ? { use } : {}),
  });
  const post = (r: Name, items: unknown[], auth?: string) =>
    api(r, "POST", "/v1/federation/utterances", { items }, auth);

  test("[FL10] a row without its customer is refused (400); with a customer unknown here, 422 naming the row", async () => {
    const { customerId: _, ...bare } = item("fl10-0", customers["cn-south"]);
    expect((await post("cn-south", [bare])).status).toBe(400);
    const unknown = await post("cn-south", [
      item("fl10-1", customers["cn-south"]),
      item("fl10-2", "acc_0000000000000000000000000Z"),
    ]);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].pointer).toBe("#/items/1/customerId");
  });

  test("[FL10] a call with a customer resident abroad is refused with wrong-jurisdiction, naming where it belongs", async () => {
    // eu-central's customer reaches cn-south (masked) by replication: wait until it is known.
    const res = await eventually(async () => {
      const r = await post("cn-south", [item("fl10-3", customers["eu-central"])]);
      return r.status === 422 ? undefined : r;
    }, 30_000);
    expect(res.status).toBe(409);
    expect(res.body.type).toContain("wrong-jurisdiction");
    expect(res.body.jurisdiction).toBe("eu");
    expect(res.body.regions.map((x: { region: string }) => x.region)).toEqual(["eu-central"]);
    expect((await api("cn-south", "GET", "/v1/federation/status")).body.utterances).toEqual({
      train: partition(loadCorpus().split.train, "cn-south").length,
      holdout: partition(loadCorpus().split.dev, "cn-south").length,
    });
  });

  test("[FL10] a row's use is fixed once stored: posting it again does not move it between train and holdout", async () => {
    const before = (await post("cn-south", [item("fl10-4", customers["cn-south"], "holdout")])).body
      .counts;
    const again = await post("cn-south", [item("fl10-4", customers["cn-south"], "train")]);
    expect(again.status).toBe(200);
    expect(again.body.counts).toEqual(before);
  });

  test("[FL10] an admin or the row's author deletes it, nobody else; each deletion is audited without the text", async () => {
    const rep = `Bearer ${await login(url("cn-south"), REP)}`;
    const integrator = `Bearer ${DEMO_KEY}`;
    expect(
      (await post("cn-south", [item("fl10-5", customers["cn-south"])], integrator)).status,
    ).toBe(200);
    expect((await post("cn-south", [item("fl10-6", customers["cn-south"])], rep)).status).toBe(200);
    const del = (id: string, auth: string) =>
      api("cn-south", "DELETE", `/v1/federation/utterances/${id}`, undefined, auth);
    const refused = await del("fl10-5", rep);
    expect(refused.status).toBe(403);
    expect(refused.body.type).toContain("not-author");
    expect((await del("fl10-5", integrator)).status).toBe(200);
    expect((await del("fl10-6", `Bearer ${token}`)).status).toBe(200);
    expect((await del("fl10-4", `Bearer ${token}`)).status).toBe(200);
    expect((await del("fl10-6", `Bearer ${token}`)).status).toBe(404);
    const entries = (await api("cn-south", "GET", "/v1/audit/entries?kind=policy-change&limit=200"))
      .body.entries as Array<{ detail: Record<string, unknown> }>;
    const deleted = entries.filter((e) => e.detail.what === "federation-utterance-deleted");
    expect(deleted.map((e) => [e.detail.id, e.detail.by])).toEqual(
      expect.arrayContaining([
        ["fl10-5", "apiKey:key_demo"],
        ["fl10-6", "user:usr_admin"],
      ]),
    );
    expect(JSON.stringify(deleted)).not.toContain("delivery slipped");
  });
});

// Last: these rounds stall, decline or spend the base version's rounds for today.
describe("rounds a region declines or the coordinator refuses", () => {
  const round = (body: Record<string, unknown>) =>
    api("cn-east", "POST", "/v1/admin/federation/rounds", body);
  const updateOf = (r: { updates: Array<{ region: string }> }, region: Name) =>
    r.updates.find((u) => u.region === region);

  test("[FL8] a round without noise goes on without eu-central, whose decline is recorded in the round", async () => {
    const res = await round({ rounds: 1, training: { seed: 5, noiseMultiplier: 0 } });
    expect(res.status).toBe(200);
    const [r] = res.body.rounds;
    expect(r.outcome).toBe("advanced");
    expect(updateOf(r, "eu-central")).toEqual({
      kind: "declined",
      region: "eu-central",
      reason: "noise-below-floor",
    });
    expect(updateOf(r, "cn-south")).toMatchObject({ kind: "update" });
    const recorded = (await api("cn-east", "GET", "/v1/federation/status")).body.rounds[0];
    expect(recorded).toMatchObject({ round: r.round, status: "advanced" });
  }, 60_000);

  test("[FL6] a region whose database is down declines (read-model-unavailable) instead of failing the round", async () => {
    await regions["eu-central"].stopLibsql();
    try {
      const res = await round({ rounds: 1, training: { seed: 5 } });
      expect(res.status).toBe(200);
      const [r] = res.body.rounds;
      expect(updateOf(r, "eu-central")).toEqual({
        kind: "declined",
        region: "eu-central",
        reason: "read-model-unavailable",
      });
      expect(r.outcome).toBe("advanced");
    } finally {
      await regions["eu-central"].restartLibsql();
    }
  }, 60_000);

  test("[FL9] minUpdates more than the regions a round asks is refused", async () => {
    const res = await round({ rounds: 1, minUpdates: 4 });
    expect(res.status).toBe(422);
    expect(res.body.type).toContain("min-updates-unreachable");
  });

  test("[FL9] a base version gets at most 3 rounds a day: stalled rounds cannot be repeated to average answers", async () => {
    const off = await api("cn-south", "PUT", "/v1/admin/federation/participation", {
      enabled: false,
    });
    expect(off.status).toBe(200);
    try {
      const stalled = await round({ rounds: 3, minUpdates: 3, training: { seed: 5 } });
      expect(stalled.status).toBe(200);
      const bases = stalled.body.rounds.map((r: { baseVersion: number }) => r.baseVersion);
      expect(new Set(bases).size).toBe(1);
      expect(stalled.body.rounds.map((r: { outcome: string }) => r.outcome)).toEqual([
        "stalled",
        "stalled",
        "stalled",
      ]);
      const fourth = await round({ rounds: 1, minUpdates: 3, training: { seed: 5 } });
      expect(fourth.status).toBe(409);
      expect(fourth.body.type).toContain("base-rounds-spent");
      expect(fourth.body.baseVersion).toBe(bases[0]);
    } finally {
      await api("cn-south", "PUT", "/v1/admin/federation/participation", { enabled: true });
    }
  }, 120_000);
});
