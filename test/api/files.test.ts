// Files in the region's object store (R2) through the real stack: voucher photos on
// payments, stroke images on signatures. cn-east and cn-south are real regions in workerd;
// eu-central is a recording stand-in, so the test sees everything that would leave the
// jurisdiction [LF4]: no file push, and payment and signature events without their files.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sha256Hex } from "../../core/index.ts";
import {
  JURISDICTION_SIGNATURE_HEADER,
  jurisdictionKeyOf,
  jurisdictionSignature,
} from "../../replication/anti-entropy.ts";
import { FROM_HEADER, filePushPath, filePushSignable } from "../../replication/files.ts";
import { keyRingOf, signRequest } from "../../replication/signing.ts";
import { freePort } from "../../scripts/processes.ts";
import { sendChunkedToWorker } from "../support/chunked.ts";
import { draftContract, sendAndSign } from "../support/commands.ts";
import { type OpenApiDoc, responseIssues } from "../support/contract.ts";
import {
  client,
  DEMO_KEY,
  eventually,
  login,
  OTHER_KEY,
  REP,
  readJson,
  startTestRegion,
  type TestRegion,
} from "../support/test-region.ts";

const KEYS = { k1: "a-replication-key-of-forty-bytes-000000000" };
const CN_MASKING_KEY = "cn-masking-key-of-the-files-test";
const DOC = "9".repeat(64);
const MiB = 1024 * 1024;

/** A small JPEG-shaped file (magic number, random payload), fresh each call. */
function jpeg(size = 2048): Uint8Array {
  const bytes = new Uint8Array(randomBytes(size));
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** eu-central as a stand-in: answers 200 to everything and records what reached it. */
type Seen = { method: string; url: string; body: string };
async function recordingRegion(port: number): Promise<{ seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { seen, server };
}

let east: TestRegion;
let south: TestRegion;
let eu: { seen: Seen[]; server: Server };
let doc: OpenApiDoc;
const api = client(() => east.url, DEMO_KEY);

beforeAll(async () => {
  const [eastPort, southPort, euPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const map = {
    "cn-east": { region: "cn-east", jurisdiction: "cn", url: `http://127.0.0.1:${eastPort}` },
    "cn-south": { region: "cn-south", jurisdiction: "cn", url: `http://127.0.0.1:${southPort}` },
    "eu-central": { region: "eu-central", jurisdiction: "eu", url: `http://127.0.0.1:${euPort}` },
  };
  eu = await recordingRegion(euPort);
  const bindings = {
    REPLICATION_KEYS: JSON.stringify(KEYS),
    REPLICATION_KEY_ID: "k1",
    MASKING_KEY: CN_MASKING_KEY,
    ANTI_ENTROPY_INTERVAL_MS: "0",
  };
  [east, south] = await Promise.all([
    startTestRegion("cn-east", {
      port: eastPort,
      peers: [map["cn-south"], map["eu-central"]],
      bindings,
    }),
    startTestRegion("cn-south", {
      port: southPort,
      peers: [map["cn-east"], map["eu-central"]],
      bindings,
    }),
  ]);
  doc = (await readJson(await fetch(`${east.url}/v1/openapi.json`))) as OpenApiDoc;
}, 120_000);

afterAll(async () => {
  await Promise.all([east?.stop(), south?.stop()]);
  await new Promise((resolve) => eu?.server.close(resolve));
});

function put(
  base: string,
  hash: string,
  body: Uint8Array,
  type = "image/jpeg",
  key: string = DEMO_KEY,
) {
  return fetch(`${base}/v1/files/${hash}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": type },
    body,
  });
}

const getFile = (base: string, hash: string, key = DEMO_KEY) =>
  fetch(`${base}/v1/files/${hash}`, { headers: { authorization: `Bearer ${key}` } });

/**
 * PUTs the file to cn-east until cn-south holds it too (`Lifeline-Durability: region`);
 * resolves with the first answer. Under wrangler dev a settling peer may answer a push
 * "worker restarted mid-request" (`local`): the same PUT again is how a client retries.
 */
async function upload(bytes: Uint8Array): Promise<Response> {
  const hash = sha256Hex(bytes);
  const first = await put(east.url, hash, bytes);
  if (first.headers.get("lifeline-durability") !== "region") {
    const again = await put(east.url, hash, bytes);
    expect(again.status).toBe(200);
    expect(again.headers.get("lifeline-durability")).toBe("region");
  }
  return first;
}

const ring = keyRingOf({ REPLICATION_KEYS: JSON.stringify(KEYS), REPLICATION_KEY_ID: "k1" });
const cnKey = jurisdictionKeyOf({ MASKING_KEY: CN_MASKING_KEY })!;

/** A file push to `to`, as region `from` would send it, signed with `jurisdictionKey`. */
function push(
  to: "cn-east" | "cn-south",
  from: string,
  jurisdictionKey: string,
  bytes: Uint8Array,
  hash: string,
): Promise<Response> {
  const name = { tenantId: "ten_demo", sha256: hash, contentType: "image/jpeg" };
  const signable = filePushSignable(from, to, name);
  const at = Date.now();
  return fetch(`${(to === "cn-east" ? east : south).url}${filePushPath(name)}`, {
    method: "PUT",
    headers: {
      "content-type": "image/jpeg",
      [FROM_HEADER]: from,
      ...signRequest(ring, signable, at),
      [JURISDICTION_SIGNATURE_HEADER]: jurisdictionSignature(jurisdictionKey, at, signable),
    },
    body: bytes,
  });
}

async function exchange(method: string, target: string, res: Response) {
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  const issues = responseIssues(doc, {
    method,
    target,
    body: undefined,
    status: res.status,
    headers: res.headers,
    responseBody: body,
  });
  return { status: res.status, headers: res.headers, body, issues };
}

describe("PUT and GET /v1/files/{sha256}", () => {
  test("stored once (201, then 200), read back as it was, immutable, by any role of the tenant and no other", async () => {
    const bytes = jpeg();
    const hash = sha256Hex(bytes);
    const first = await exchange("PUT", `/v1/files/${hash}`, await put(east.url, hash, bytes));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ sha256: hash, contentType: "image/jpeg", size: bytes.length });
    expect(first.headers.get("location")).toBe(`/v1/files/${hash}`);
    expect(first.issues).toEqual([]);
    const again = await exchange("PUT", `/v1/files/${hash}`, await put(east.url, hash, bytes));
    expect(again.status).toBe(200);
    expect(again.issues).toEqual([]);

    const read = await getFile(east.url, hash);
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("image/jpeg");
    expect(read.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);

    expect((await getFile(east.url, hash, OTHER_KEY)).status).toBe(404);
    const bad = await getFile(east.url, "ABC");
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).errors[0].field).toBe("sha256");

    // A rep's session may upload too (every role of the tenant).
    const rep = await login(east.url, REP);
    const png = new Uint8Array([...PNG_MAGIC, ...randomBytes(64)]);
    expect((await put(east.url, sha256Hex(png), png, "image/png", rep)).status).toBe(201);
  });

  test("[LF4] the copy reaches cn-south before the answer (durability region), never eu-central", async () => {
    const bytes = jpeg();
    const hash = sha256Hex(bytes);
    expect((await upload(bytes)).status).toBe(201);
    const copy = await getFile(south.url, hash);
    expect(copy.status).toBe(200);
    expect(new Uint8Array(await copy.arrayBuffer())).toEqual(bytes);
    expect(eu.seen.filter((s) => s.url.startsWith("/v1/replication/files/"))).toEqual([]);
  });

  test("bytes that do not hash to the path, or are not the declared type, are 422; a non-image type 415", async () => {
    const bytes = jpeg();
    const mismatch = await readJson(await put(east.url, "0".repeat(64), bytes));
    expect(mismatch).toMatchObject({ status: 422, type: "urn:lifeline:problem:hash-mismatch" });
    expect(mismatch.sha256).toBe(sha256Hex(bytes));

    const png = new Uint8Array([...PNG_MAGIC, ...randomBytes(64)]);
    const asJpeg = await readJson(await put(east.url, sha256Hex(png), png, "image/jpeg"));
    expect(asJpeg).toMatchObject({ status: 422, type: "urn:lifeline:problem:file-type-mismatch" });
    expect(asJpeg.detail).toContain("image/png");
    const text = new TextEncoder().encode("not an image at all");
    const fake = await readJson(await put(east.url, sha256Hex(text), text, "image/webp"));
    expect(fake.type).toBe("urn:lifeline:problem:file-type-mismatch");

    const gif = await readJson(await put(east.url, sha256Hex(bytes), bytes, "image/gif"));
    expect(gif).toMatchObject({ status: 415, type: "urn:lifeline:problem:unsupported-media-type" });
    expect((await getFile(east.url, sha256Hex(bytes))).status).toBe(404);
  });

  test("2 MiB is stored; a byte more is 413, by its Content-Length or (chunked) as it streams", async () => {
    const full = jpeg(2 * MiB);
    expect((await put(east.url, sha256Hex(full), full)).status).toBe(201);
    const over = jpeg(2 * MiB + 1);
    const declared = await readJson(await put(east.url, sha256Hex(over), over));
    expect(declared).toMatchObject({ status: 413, type: "urn:lifeline:problem:body-too-large" });
    expect(declared.limitBytes).toBe(2 * MiB);
    // Chunked, with no length to refuse up front: cut off once past the limit, never read whole.
    const chunked = await sendChunkedToWorker(east.url, {
      method: "PUT",
      path: `/v1/files/${"2".repeat(64)}`,
      headers: { "Content-Type": "image/jpeg", Authorization: `Bearer ${DEMO_KEY}` },
      total: 64 * MiB,
    });
    expect(chunked.status, chunked.head).toBe(413);
    expect(chunked.sent).toBeLessThan(32 * MiB);
  });
});

describe("[LF4] a file push comes only from this jurisdiction, signed, and hashes to its name", () => {
  test("[LF4] eu-central's push is 403, a push without the jurisdiction's key 401, wrong bytes 422; a true one is stored", async () => {
    const bytes = jpeg();
    const hash = sha256Hex(bytes);
    const euKey = jurisdictionKeyOf({ MASKING_KEY: "eu-masking-key-of-the-files-test" })!;
    expect((await push("cn-south", "eu-central", euKey, bytes, hash)).status).toBe(403);
    expect((await push("cn-south", "cn-east", euKey, bytes, hash)).status).toBe(401);
    expect((await push("cn-south", "cn-east", cnKey, jpeg(), hash)).status).toBe(422);
    expect((await getFile(south.url, hash)).status).toBe(404);
    expect((await push("cn-south", "cn-east", cnKey, bytes, hash)).status).toBe(201);
    expect((await push("cn-south", "cn-east", cnKey, bytes, hash)).status).toBe(200);
    expect((await getFile(south.url, hash)).status).toBe(200);
  });
});

describe("a voucher on a payment, an image on a signature", () => {
  let seq = 0;
  async function signedContract() {
    const customer = await api("POST", "/v1/customers", {
      name: "苏州凭证测试",
      taxId: `91320500FI${Date.now().toString(36).toUpperCase()}${seq++}`,
      residency: "cn",
    });
    const contract = await draftContract(api, customer.body.id, 1_000_000, DOC);
    const id = contract.body.id as string;
    await sendAndSign(api, id, DOC);
    return id;
  }
  const payment = (contractId: string, reference: string, voucher?: string) => ({
    contractId,
    reference,
    amount: { value: 300_000, currency: "CNY" },
    ...(voucher ? { voucher: { sha256: voucher } } : {}),
  });

  test("[LF2] a payment names a voucher uploaded first: 201 and shown, replayed alike; one not uploaded is 422", async () => {
    const contractId = await signedContract();
    const bytes = jpeg();
    const hash = sha256Hex(bytes);
    const missing = await api("POST", "/v1/payments", payment(contractId, "VCH-1", hash));
    expect(missing.status).toBe(422);
    expect(missing.body.type).toBe("urn:lifeline:problem:voucher-missing");
    expect(missing.body.detail).toContain(`PUT /v1/files/${hash}`);
    expect(missing.body.errors[0].field).toBe("voucher.sha256");

    expect((await upload(bytes)).status).toBe(201);
    const key = { "idempotency-key": `voucher-${hash}` };
    const paid = await api("POST", "/v1/payments", payment(contractId, "VCH-1", hash), key);
    expect(paid.status).toBe(201);
    expect(paid.body.voucher).toEqual({ sha256: hash });
    expect(
      responseIssues(doc, {
        ...paid,
        method: "POST",
        target: "/v1/payments",
        body: undefined,
        responseBody: paid.body,
      }),
    ).toEqual([]);
    const replay = await api("POST", "/v1/payments", payment(contractId, "VCH-1", hash), key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(paid.text);

    const contract = await api("GET", `/v1/contracts/${contractId}`);
    expect(contract.body.payments[0].voucher).toEqual({ sha256: hash });
    // Another photo for the same payment is refused; the one it has stays.
    const other = jpeg();
    expect((await put(east.url, sha256Hex(other), other)).status).toBe(201);
    const second = await api(
      "POST",
      "/v1/payments",
      payment(contractId, "VCH-1", sha256Hex(other)),
    );
    expect(second.status).toBe(409);
    expect(second.body.type).toBe("urn:lifeline:problem:voucher-conflict");

    // Held by cn-south too (the write and the photo), and abroad only without the photo.
    const there = await eventually(async () => {
      const r = await client(south.url, DEMO_KEY)("GET", paid.headers.get("location")!);
      return r.status === 200 ? r : undefined;
    });
    expect(there.body.voucher).toEqual({ sha256: hash });
    const photo = await getFile(south.url, hash);
    expect(photo.status).toBe(200);
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(bytes);
    const abroad = await eventually(async () => {
      const batches = eu.seen.filter((s) => s.body.includes(paid.body.id));
      return batches.length > 0 ? batches : undefined;
    }, 15_000);
    expect(abroad.some((b) => b.body.includes("payment.confirmed"))).toBe(true);
    for (const b of eu.seen) expect(b.body).not.toContain(hash);
  });

  test("[LF2] a retry of a committed payment is its replay where the photo is not (yet) stored; a new one there is 422", async () => {
    const contractId = await signedContract();
    const bytes = jpeg();
    const hash = sha256Hex(bytes);
    // Only cn-east holds the photo (pushed there as cn-south would; an upload copies it on).
    expect((await push("cn-east", "cn-south", cnKey, bytes, hash)).status).toBe(201);
    const body = payment(contractId, "VCH-FAILOVER", hash);
    const key = { "idempotency-key": `voucher-failover-${hash}` };
    const paid = await api("POST", "/v1/payments", body, key);
    expect(paid.status).toBe(201);
    expect((await getFile(south.url, hash)).status).toBe(404);

    // The client failed over: the same request and key at cn-south, which has the write's
    // ledger entry (with its events) but not the photo. The file check fails there; it does
    // not stand in front of the replay (until the entry arrives, it answers 422).
    const southApi = client(south.url, DEMO_KEY);
    const retry = await eventually(async () => {
      const r = await southApi("POST", "/v1/payments", body, key);
      return r.status === 422 ? undefined : r;
    }, 15_000);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.text).toBe(paid.text);
    expect((await getFile(south.url, hash)).status).toBe(404);

    // A new write naming the photo there is still refused, and takes no effect.
    const fresh = await southApi("POST", "/v1/payments", payment(contractId, "VCH-FRESH", hash));
    expect(fresh.status).toBe(422);
    expect(fresh.body.type).toBe("urn:lifeline:problem:voucher-missing");
    const contract = await api("GET", `/v1/contracts/${contractId}`);
    expect(contract.body.payments.map((p: { reference: string }) => p.reference)).toEqual([
      "VCH-FAILOVER",
    ]);
  });

  test("a signature carries the stroke image uploaded first, bound to the party and document; one not uploaded is 422", async () => {
    const contractId = await signedContract();
    const bytes = jpeg();
    const hash = sha256Hex(bytes);
    const sign = {
      party: "vendor",
      signer: { name: "Li Si" },
      documentHash: DOC,
      image: { sha256: hash },
    };
    const missing = await api("POST", `/v1/contracts/${contractId}/signatures`, sign);
    expect(missing.status).toBe(422);
    expect(missing.body.type).toBe("urn:lifeline:problem:signature-image-missing");

    expect((await put(east.url, hash, bytes)).status).toBe(201);
    const signed = await api("POST", `/v1/contracts/${contractId}/signatures`, sign);
    expect(signed.status).toBe(201);
    expect(signed.body.status).toBe("active");
    const vendor = signed.body.signatures.find((s: { party: string }) => s.party === "vendor");
    expect(vendor).toMatchObject({ documentHash: DOC, image: { sha256: hash } });
    const read = await api("GET", `/v1/contracts/${contractId}`);
    expect(read.body.signatures).toEqual(signed.body.signatures);
    expect(
      responseIssues(doc, {
        ...read,
        method: "GET",
        target: `/v1/contracts/${contractId}`,
        body: undefined,
        responseBody: read.body,
      }),
    ).toEqual([]);
    await eventually(
      async () =>
        eu.seen.some((s) => s.body.includes("contract.signed") && s.body.includes(contractId))
          ? true
          : undefined,
      15_000,
    );
    for (const b of eu.seen) expect(b.body).not.toContain(hash);
  });
});
