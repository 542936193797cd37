// The API contract as a newcomer meets it: the published /v1/openapi.json is exact (every
// README request and the answers of a running region validate against it), and errors are
// consistent between region and router: one 413, pointers to unknown keys, 405 with Allow,
// unknown query parameters and region hints refused, masked copies marked as such.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { DEV_KEY, startTopology } from "../../scripts/local-topology.ts";
import { fakeTopology } from "../router/fake-network.ts";
import { confirmPayment, draftContract, sendAndSign } from "../support/commands.ts";
import {
  type Exchange,
  type OpenApiDoc,
  operationFor,
  requestIssues,
  responseIssues,
} from "../support/contract.ts";
import { validate } from "../support/json-schema.ts";
import { curlRequests } from "../support/readme-curl.ts";
import { forSuite } from "../support/suite.ts";
import {
  ADMIN as ADMIN_USER,
  client,
  DEMO_KEY,
  demoRegionForSuite,
  eventually,
  login,
  readJson,
} from "../support/test-region.ts";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const HASH = "a".repeat(64);
/** The README's voucher photo: a JPEG's magic number and some bytes, fresh per run. */
const PHOTO = join(mkdtempSync(join(tmpdir(), "lifeline-readme-")), "slip.jpg");
writeFileSync(PHOTO, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(512)]));

const { region, api } = demoRegionForSuite();
let doc: OpenApiDoc;

beforeAll(async () => {
  doc = (await readJson(await fetch(`${region().url}/v1/openapi.json`))) as OpenApiDoc;
});

type Op = {
  operationId?: string;
  requestBody?: { required?: boolean };
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op: op as Op })),
  );

/** Every `pattern` string in the document, with where it is. */
function patterns(node: unknown, at = ""): Array<{ at: string; pattern: string }> {
  if (Array.isArray(node)) return node.flatMap((n, i) => patterns(n, `${at}/${i}`));
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === "pattern" && typeof v === "string" ? [{ at, pattern: v }] : patterns(v, `${at}/${k}`),
  );
}

/** Real-looking values for the README's shell variables. */
const README_VARS: Record<string, string> = {
  API: "http://127.0.0.1:8801",
  AUTH: `authorization: Bearer ${DEMO_KEY}`,
  JSON: "content-type: application/json",
  /** The dev admin's bearer header (the walkthrough logs in for a real one). */
  ADMIN: "authorization: Bearer not-a-real-token",
  DOC: "3f1e9c6c2f0b8f0d3d8b9a7c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f",
  CUSTOMER: "acc_7ZQ3M4K1TXVB9N2HC5D8E6F0GJ",
  CONTRACT: "ctr_7ZQ3M4K1TXVB9N2HC5D8E6F0GJ_4K8P2M6Q9R3T7V1W",
  /** The README's `STATUS` array of curl flags (-s -o /dev/null -w …): only flags. */
  "STATUS[@]": "-s",
  PHOTO,
  SHA: createHash("sha256").update(readFileSync(PHOTO)).digest("hex"),
};
const readmeVar = (values: Record<string, string>) => (name: string) => {
  if (name === "$(key)") return crypto.randomUUID();
  const value = values[name];
  if (value === undefined) throw new Error(`the README uses $${name}; give it a value here`);
  return value;
};

/** A test client's answer as an exchange for the contract checks. */
function asExchange(
  method: string,
  target: string,
  res: { status: number; headers: Headers; body: unknown },
): Exchange {
  const { status, headers, body } = res;
  return { method, target, body: undefined, status, headers, responseBody: body };
}

describe("[contract] the published document", () => {
  test("[contract] no published pattern carries regex flags, and each is a valid ECMA-262 pattern", () => {
    const found = patterns(doc);
    expect(found.length).toBeGreaterThan(10);
    for (const { at, pattern } of found) {
      expect(() => new RegExp(pattern, "u"), at).not.toThrow();
      // zod-to-openapi renders /re/flags as "re/flags": a trailing unescaped "/x" is a leak.
      expect(pattern, at).not.toMatch(/(?<!\\)\/[dgimsuvy]+$/);
    }
  });

  test("[contract] every operation has a unique operationId", () => {
    const ids = operations().map(({ method, path, op }) => op.operationId ?? `${method} ${path}`);
    expect(operations().filter(({ op }) => !op.operationId)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("[contract] servers name the root the document came from and this region's own URL", () => {
    const servers = doc.servers as Array<{ url: string; description: string }>;
    expect(servers.map((s) => s.url)).toEqual(["/", region().url]);
    expect(servers.every((s) => s.description.length > 10)).toBe(true);
  });

  test("[contract] every operation documents 429 and 503 (with Retry-After), 413 where it takes a body and 415 where that must be JSON", () => {
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      const r = op.responses;
      expect(Object.keys(r), where).toEqual(expect.arrayContaining(["429", "503"]));
      expect(Object.keys(r[429]!.headers ?? {}), where).toContain("Retry-After");
      expect(Object.keys(r[503]!.headers ?? {}), where).toContain("Retry-After");
      if (op.requestBody) expect(r[413], where).toBeDefined();
      if (op.requestBody?.required) expect(r[415], where).toBeDefined();
      for (const response of Object.values(r))
        expect(Object.keys(response.headers ?? {}), where).toEqual(
          expect.arrayContaining(["Lifeline-Region", "RateLimit", "RateLimit-Policy"]),
        );
    }
    const created = doc.paths["/v1/payments"]!.post!.responses["201"]!.headers!;
    expect(Object.keys(created)).toEqual(
      expect.arrayContaining([
        "Location",
        "Idempotent-Replayed",
        "Lifeline-HLC",
        "Lifeline-Durability",
        "Lifeline-Degraded",
      ]),
    );
  });

  test("[contract] the validator refuses a keyword it does not know rather than passing", () => {
    expect(() => validate({}, { type: "string", patternProperties: {} }, "x")).toThrow(
      /unsupported keyword "patternProperties"/,
    );
    expect(validate({}, { type: "string", pattern: "^a+$" }, "b")).toHaveLength(1);
  });
});

describe("[contract] the README against the document and a running region", () => {
  test("[contract] every README request body validates against /v1/openapi.json", () => {
    const requests = curlRequests(README, readmeVar(README_VARS));
    const withBody = requests.filter((r) => r.body !== undefined);
    // Customer, contract, two signatures, a payment and a call analysis at least.
    expect(withBody.length).toBeGreaterThanOrEqual(6);
    expect(withBody.flatMap((r) => requestIssues(doc, r))).toEqual([]);
    expect(
      requests.flatMap((r) => (operationFor(doc, r.method, r.target) ? [] : [r.target])),
    ).toEqual([]);
  });

  test("[contract] the README walkthrough, sent to a running region, answers what it says, step by step", async () => {
    const values: Record<string, string> = {
      ...README_VARS,
      API: region().url,
      ADMIN: `authorization: Bearer ${await login(region().url, ADMIN_USER)}`,
    };
    const issues: string[] = [];
    const steps = curlRequests(README, readmeVar(values)).length;
    for (let step = 0; step < steps; step++) {
      // Expanded when sent, so later commands use the ids captured from earlier answers.
      const request = curlRequests(README, readmeVar(values))[step]!;
      const res = await fetch(`${region().url}${request.target}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        ...(request.file === undefined ? {} : { body: readFileSync(request.file) }),
      });
      const text = await res.text();
      const exchange: Exchange = {
        method: request.method,
        target: request.target,
        body: request.body,
        status: res.status,
        headers: res.headers,
        responseBody: text ? JSON.parse(text) : null,
      };
      const expected = request.expect;
      if (expected === undefined ? res.status >= 300 : res.status !== expected)
        issues.push(
          `${request.method} ${request.target} → ${res.status} (README: ${expected ?? "2xx"}): ${text}`,
        );
      issues.push(...requestIssues(doc, request), ...responseIssues(doc, exchange));
      const id = (exchange.responseBody as { id?: string } | null)?.id;
      if (request.target === "/v1/customers" && id) values.CUSTOMER = id;
      if (request.target === "/v1/contracts" && id) values.CONTRACT = id;
    }
    expect(issues).toEqual([]);
  }, 30_000);
});

describe("[errors] one error story, region and router alike", () => {
  async function customer() {
    const res = await api("POST", "/v1/customers", { name: "Errors Co", residency: "cn" });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  test("[errors] an unknown body key is named by its own pointer, not its parent's", async () => {
    const top = await api("POST", "/v1/customers", { name: "X", residency: "cn", taxid: "typo" });
    expect(top.status).toBe(400);
    expect(top.body.errors).toEqual([
      { field: "taxid", pointer: "#/taxid", message: "is not a known field" },
    ]);
    const nested = await api("POST", "/v1/customers", {
      name: "X",
      residency: "cn",
      contacts: [{ name: "Li", nickname: "L" }],
    });
    expect(nested.body.errors).toEqual([
      {
        field: "contacts.0.nickname",
        pointer: "#/contacts/0/nickname",
        message: "is not a known field",
      },
    ]);
  });

  test("[errors] an unknown query parameter is refused like an unknown body key (?status=draft)", async () => {
    const id = await customer();
    for (const path of [
      `/v1/contracts?customerId=${id}&status=draft`,
      "/v1/customers?status=draft",
      "/v1/payments?status=draft",
      `/v1/customers/${id}?status=draft`,
    ]) {
      const res = await api("GET", path);
      expect(res.status, path).toBe(400);
      expect(res.body.title, path).toBe("Invalid query parameters");
      expect(res.body.errors, path).toEqual([
        { field: "status", pointer: "#/status", message: "is not a known query parameter" },
      ]);
    }
  });

  test("[errors] a wrong method on a known path is 405 with Allow; an unknown path stays 404", async () => {
    const id = await customer();
    const del = await api("DELETE", `/v1/customers/${id}`);
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    expect(del.body.type).toBe("urn:lifeline:problem:method-not-allowed");
    const put = await api("PUT", "/v1/payments");
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
    expect((await api("GET", "/v1/nothing-here")).status).toBe(404);
  });

  test("[errors] router and region refuse an oversized body with one 413: same type and title, the limit in bytes", async () => {
    const regionAnswer = await api("POST", "/v1/customers", {
      name: "x".repeat(300 * 1024),
      residency: "cn",
    });
    const net = fakeTopology();
    const routerRes = await net.request("POST", "/v1/customers", {
      body: JSON.stringify({ residency: "cn", name: "x".repeat(1024 * 1024) }),
      headers: { "idempotency-key": "big-1" },
    });
    const routerAnswer = (await routerRes.json()) as Record<string, unknown>;
    expect([regionAnswer.status, routerRes.status]).toEqual([413, 413]);
    for (const [body, limit] of [
      [regionAnswer.body, 256 * 1024],
      [routerAnswer, 1024 * 1024],
    ] as const) {
      expect(body.type).toBe("urn:lifeline:problem:body-too-large");
      expect(body.title).toBe("Request body too large");
      expect(body.limitBytes).toBe(limit);
      expect(body.detail).toContain(`${limit} bytes`);
    }
  });

  test("[errors] an unknown Lifeline-Region hint is a 400 at the region and at the router", async () => {
    const atRegion = await api("GET", "/v1/customers", undefined, { "lifeline-region": "cn-esat" });
    expect(atRegion.status).toBe(400);
    expect(atRegion.body.type).toBe("urn:lifeline:problem:unknown-region");
    expect(atRegion.headers.get("lifeline-region")).toBe("cn-east");
    expect(
      (await api("GET", "/v1/customers", undefined, { "lifeline-region": "cn-east" })).status,
    ).toBe(200);
    const net = fakeTopology();
    const atRouter = await net.request("GET", "/v1/customers", {
      headers: { "lifeline-region": "cn-esat" },
    });
    expect(atRouter.status).toBe(400);
    const body = (await atRouter.json()) as { type: string; regions: string[] };
    expect(body.type).toBe("urn:lifeline:problem:unknown-region");
    expect(body.regions).toEqual(["cn-east", "cn-south", "eu-central"]);
    expect(net.regionsHit()).toEqual([]);
  });

  test("[errors] the router answers a wrong method on its own path with 405 and Allow", async () => {
    const res = await fakeTopology().request("POST", "/router/health");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });

  test("[errors] titles say what went wrong: which part of the request, which record", async () => {
    const body = await api("POST", "/v1/customers", { name: " ", residency: "cn" });
    expect(body.body.title).toBe("The request body has invalid fields");
    const param = await api("GET", "/v1/contracts/12345");
    expect(param.body.title).toBe("Invalid path parameter");
    const missing = await api("GET", `/v1/payments/pay_${"A".repeat(26)}_${"B".repeat(16)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.title).toBe("Payment not found");
    const media = await fetch(`${region().url}/v1/customers`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO_KEY}`, "idempotency-key": "media-title" },
      body: "name=x",
    });
    expect((await readJson(media)).title).toBe("The body is not JSON");
  });
});

describe("[17] the Location of every write answers", () => {
  test("[17] a confirmed payment's Location answers 200 with the payment, authoritative at once", async () => {
    const customer = await api("POST", "/v1/customers", { name: "Pay Co", residency: "cn" });
    const contract = await draftContract(api, customer.body.id, 1000, HASH);
    const id = contract.body.id as string;
    await sendAndSign(api, id, HASH);
    const paid = await confirmPayment(api, id, "LOC-1", 400);
    expect(paid.status).toBe(201);
    for (const res of [paid, customer, contract]) {
      const location = res.headers.get("location")!;
      const read = await api("GET", location);
      expect(read.status, location).toBe(200);
      expect(read.body.id).toBe(res.body.id);
      expect(read.body.masked).toBeUndefined();
      expect(responseIssues(doc, asExchange("GET", location, read))).toEqual([]);
    }
  });
});

describe("[LF4] a masked copy says so", () => {
  const topology = forSuite(() => startTopology(["cn-east", "eu-central"]), 120_000);

  test("[LF4] an EU customer and contract read through cn-east are marked masked (field and header, and in the customer list); in eu-central they are not", async () => {
    const eu = client(topology().url("eu-central"), DEV_KEY);
    const cn = client(topology().url("cn-east"), DEV_KEY);
    const customer = await eu("POST", "/v1/customers", {
      name: "Klinik Mitte GmbH",
      residency: "eu",
      contacts: [{ name: "Dr. Anna Weber", phone: "+49 30 1234 5678" }],
    });
    expect(customer.status).toBe(201);
    const contract = await draftContract(eu, customer.body.id, 500_000, HASH, "EUR");
    expect(contract.status).toBe(201);
    for (const path of [`/v1/customers/${customer.body.id}`, `/v1/contracts/${contract.body.id}`]) {
      const abroad = await eventually(async () => {
        const r = await cn("GET", path);
        return r.status === 200 ? r : undefined;
      }, 20_000);
      expect(abroad.body.masked, path).toBe(true);
      expect(abroad.headers.get("lifeline-masked"), path).toBe("true");
      expect(responseIssues(doc, asExchange("GET", path, abroad))).toEqual([]);
      const home = await eu("GET", path);
      expect(home.body.masked, path).toBeUndefined();
      expect(home.headers.get("lifeline-masked"), path).toBeNull();
    }
    const listed = await eventually(async () => {
      const r = await cn("GET", `/v1/customers?q=${encodeURIComponent("Klinik Mitte")}`);
      return r.status === 200 && r.body.items.length > 0 ? r.body.items : undefined;
    }, 20_000);
    expect(listed.map((i: { masked: boolean }) => i.masked)).toEqual([true]);
    const page = await cn("GET", `/v1/customers?q=${encodeURIComponent("Klinik Mitte")}`);
    expect(responseIssues(doc, asExchange("GET", "/v1/customers", page))).toEqual([]);
  }, 60_000);
});
