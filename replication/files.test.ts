// [LF4] A file push goes to the regions of its own jurisdiction only, and a receiver takes
// one only from them: checked here on the wire's own code, with a recording fetch.
import { describe, expect, test } from "vitest";
import { jurisdictionKeyOf, PeerCallError } from "./anti-entropy.ts";
import {
  FROM_HEADER,
  filePushPath,
  MAX_PUSH_ANSWER_BYTES,
  pushFile,
  pushToJurisdiction,
  verifyFilePush,
} from "./files.ts";
import { keyRingOf } from "./signing.ts";

const REGIONS = JSON.stringify([
  { region: "cn-east", jurisdiction: "cn", url: "http://cn-east.test" },
  { region: "cn-south", jurisdiction: "cn", url: "http://cn-south.test" },
  { region: "eu-central", jurisdiction: "eu", url: "http://eu-central.test" },
]);
const KEYS = { REPLICATION_KEYS: JSON.stringify({ k1: "k".repeat(40) }), REPLICATION_KEY_ID: "k1" };
const ring = keyRingOf(KEYS);
const env = (
  region: string,
  jurisdiction: string,
  MASKING_KEY = `${jurisdiction}-masking-key-0001`,
) => ({
  REGION: region,
  JURISDICTION: jurisdiction,
  REGIONS,
  MASKING_KEY,
});
const file = {
  tenantId: "ten_demo",
  sha256: "ab".repeat(32),
  contentType: "image/jpeg",
  bytes: new Uint8Array([0xff, 0xd8, 0xff]),
};

/** A fetch that records each request and answers 201. */
function recorder() {
  const sent: Request[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    sent.push(new Request(input, init));
    return new Response("{}", { status: 201 });
  };
  return { sent, fetcher };
}

describe("[LF4] file pushes stay in their jurisdiction", () => {
  test("[LF4] cn-east pushes to cn-south only, never to eu-central", async () => {
    const { sent, fetcher } = recorder();
    const { held, settled } = pushToJurisdiction(
      env("cn-east", "cn"),
      { ring, timeoutMs: 1_000, fetcher },
      file,
    );
    expect(await held).toBe(true);
    await settled;
    expect(sent.map((r) => new URL(r.url).host)).toEqual(["cn-south.test"]);
    expect(new URL(sent[0]!.url).pathname).toBe(filePushPath(file));
  });

  test("[LF4] a push to a foreign region is refused before any request is made", async () => {
    const { sent, fetcher } = recorder();
    const self = { region: "cn-east", jurisdiction: "cn" };
    const config = { ring, self, jurisdictionKey: "j".repeat(64), timeoutMs: 1_000, fetcher };
    const eu = { region: "eu-central", jurisdiction: "eu", url: "http://eu-central.test" };
    const refused = pushFile(config, eu, file);
    await expect(refused).rejects.toBeInstanceOf(PeerCallError);
    await expect(refused).rejects.toThrow(
      "file push to eu-central failed: a file never leaves its jurisdiction",
    );
    expect(sent).toEqual([]);
  });

  test("eu-central has no peer of its jurisdiction: nothing is sent, the file is held locally", async () => {
    const { sent, fetcher } = recorder();
    const { held } = pushToJurisdiction(
      env("eu-central", "eu"),
      { ring, timeoutMs: 1_000, fetcher },
      file,
    );
    expect(await held).toBe(false);
    expect(sent).toEqual([]);
  });

  test("[LF4] the receiver takes a push signed by its jurisdiction's peer, over this file's name only", async () => {
    const { sent, fetcher } = recorder();
    await pushToJurisdiction(env("cn-east", "cn"), { ring, timeoutMs: 1_000, fetcher }, file)
      .settled;
    const headers = sent[0]!.headers;
    const south = env("cn-south", "cn");
    const name = { tenantId: file.tenantId, sha256: file.sha256, contentType: file.contentType };
    expect(verifyFilePush(south, ring, headers, name, Date.now())).toMatchObject({ ok: true });
    // Another file, another type, another receiver: the signatures do not cover them.
    const other = { ...name, sha256: "cd".repeat(32) };
    expect(verifyFilePush(south, ring, headers, other, Date.now())).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(
      verifyFilePush(south, ring, headers, { ...name, contentType: "image/png" }, Date.now()),
    ).toMatchObject({ ok: false });
    // A region of another jurisdiction (same replication key, its own masking key) is not a peer.
    const eu = env("eu-central", "eu");
    expect(verifyFilePush(eu, ring, headers, name, Date.now())).toMatchObject({
      ok: false,
      status: 403,
    });
    const spoofed = new Headers(headers);
    spoofed.set(FROM_HEADER, "eu-central");
    expect(verifyFilePush(south, ring, spoofed, name, Date.now())).toMatchObject({
      ok: false,
      status: 403,
    });
    // The same region with a different jurisdiction key (e.g. a stale MASKING_KEY) is refused.
    const rekeyed = env("cn-south", "cn", "another-cn-masking-key");
    expect(jurisdictionKeyOf(rekeyed)).not.toBe(jurisdictionKeyOf(south));
    expect(verifyFilePush(rekeyed, ring, headers, name, Date.now())).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});

describe("a push's answer", () => {
  const self = { region: "cn-east", jurisdiction: "cn" };
  const south = { region: "cn-south", jurisdiction: "cn", url: "http://cn-south.test" };
  const answering = (status: number, body: string) => ({
    ring,
    self,
    jurisdictionKey: "j".repeat(64),
    timeoutMs: 1_000,
    fetcher: (async () => new Response(body, { status })) as typeof fetch,
  });

  test("is read up to its bound only; a refusal names the peer and its status", async () => {
    await expect(pushFile(answering(201, "{}"), south, file)).resolves.toBeUndefined();
    await expect(
      pushFile(answering(201, " ".repeat(MAX_PUSH_ANSWER_BYTES + 1)), south, file),
    ).rejects.toThrow("file push to cn-south failed (HTTP 201): answer too large");
    await expect(pushFile(answering(401, "bad-signature"), south, file)).rejects.toMatchObject({
      peer: "cn-south",
      status: 401,
      message: "file push to cn-south failed (HTTP 401): bad-signature",
    });
  });

  test("no answer at all is a failure without a status", async () => {
    const config = {
      ...answering(201, "{}"),
      fetcher: (async () => {
        throw new TypeError("connect ECONNREFUSED");
      }) as typeof fetch,
    };
    await expect(pushFile(config, south, file)).rejects.toMatchObject({
      peer: "cn-south",
      status: null,
    });
  });
});
