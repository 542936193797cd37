// File survival: a file a region stores (a voucher photo, a signature image) is pushed to
// the other regions of its jurisdiction, and never to another: a photo is personal data
// and never leaves its jurisdiction [LF4], but it must survive the loss of the region that
// took it. This file owns the wire of that push (one signed PUT per peer) and its checks.
//
// What is signed is the file's name, not its bytes: (sender, receiver, tenant, SHA-256,
// content type). The receiver hashes the bytes and refuses any that do not hash to the
// signed name, so the bytes are bound too, and it can answer "already held" before a byte
// of the body is read. Signed twice, like anti-entropy's answers in full: with the
// replication key (a peer of the topology) and with the jurisdiction key derived from
// MASKING_KEY (a peer of this jurisdiction: the replication key is shared by every
// region, so it alone cannot tell cn-south from eu-central).
import {
  jurisdictionKeyOf,
  PeerCallError,
  type PeerLink,
  signedCall,
  verifyJurisdictionSignature,
} from "./anti-entropy.ts";
import { jurisdictionPeers, type RegionInfo, regionInfo } from "./regions.ts";
import { type KeyRing, verifyRequest } from "./signing.ts";

export const FILE_PUSH_PREFIX = "/v1/replication/files/";
/** Names the sender; covered by both signatures. */
export const FROM_HEADER = "lifeline-from-region";

export type FileName = { tenantId: string; sha256: string; contentType: string };

export const filePushPath = (f: Pick<FileName, "tenantId" | "sha256">) =>
  `${FILE_PUSH_PREFIX}${encodeURIComponent(f.tenantId)}/${f.sha256}`;

/** The text both signatures cover. */
export function filePushSignable(from: string, to: string, f: FileName): string {
  return ["lifeline.file-push.v1", from, to, f.tenantId, f.sha256, f.contentType].join("\n");
}

/** A peer's answer to a push: the stored file's name and size, or a problem. */
export const MAX_PUSH_ANSWER_BYTES = 16 * 1024;

/** This region's link to its peers (anti-entropy.ts); the push's timeout is its deadline. */
export type FilePushConfig = PeerLink & { timeoutMs: number };

/**
 * One push; resolves once the peer holds the file (it stored it, or had it). A failure is
 * a PeerCallError (`file push to … failed`).
 */
export async function pushFile(
  config: FilePushConfig,
  peer: RegionInfo,
  file: FileName & { bytes: Uint8Array },
): Promise<void> {
  // The rule lives where the request is made, not only in who calls this [LF4].
  if (peer.jurisdiction !== config.self.jurisdiction)
    throw new PeerCallError(peer.region, null, "a file never leaves its jurisdiction", "file push");
  const { res, text } = await signedCall(config, peer, {
    call: "file push",
    method: "PUT",
    path: filePushPath(file),
    headers: { "content-type": file.contentType, [FROM_HEADER]: config.self.region },
    body: file.bytes,
    signable: filePushSignable(config.self.region, peer.region, file),
    maxAnswerBytes: MAX_PUSH_ANSWER_BYTES,
  });
  if (!res.ok) throw new PeerCallError(peer.region, res.status, text.slice(0, 300), "file push");
}

/**
 * Pushes to every other region of this jurisdiction at once. `held` resolves true as soon
 * as one holds the file, false once all failed or the deadline passed; `settled` when
 * every push is over (for waitUntil: the others still complete after the answer).
 */
export function pushToJurisdiction(
  env: Pick<Env, "REGION" | "REGIONS" | "JURISDICTION" | "MASKING_KEY">,
  config: Omit<FilePushConfig, "self" | "jurisdictionKey">,
  file: FileName & { bytes: Uint8Array },
): { held: Promise<boolean>; settled: Promise<unknown> } {
  const self = { region: env.REGION, jurisdiction: env.JURISDICTION };
  const full = { ...config, self, jurisdictionKey: jurisdictionKeyOf(env) };
  const pushes = jurisdictionPeers(env, env.JURISDICTION).map((peer) => pushFile(full, peer, file));
  const held = Promise.any(pushes).then(
    () => true,
    (err: unknown) => {
      const errors = err instanceof AggregateError ? err.errors : [err];
      if (errors.length > 0) console.warn("file push: no peer holds it", errors.map(String));
      return false;
    },
  );
  return { held, settled: Promise.allSettled(pushes) };
}

export type PushVerdict =
  | { ok: true; from: RegionInfo }
  | { ok: false; status: 401 | 403; reason: string };

/**
 * A push's credentials: from a region of this jurisdiction other than this one, signed by
 * a current replication key and by the jurisdiction key, over this file's name.
 */
export function verifyFilePush(
  env: Pick<Env, "REGION" | "REGIONS" | "JURISDICTION" | "MASKING_KEY">,
  ring: KeyRing,
  headers: Headers,
  file: FileName,
  nowMs: number,
): PushVerdict {
  const from = regionInfo(env, headers.get(FROM_HEADER) ?? "");
  if (!from || from.region === env.REGION || from.jurisdiction !== env.JURISDICTION)
    return { ok: false, status: 403, reason: `only a peer of ${env.JURISDICTION} may push files` };
  const signable = filePushSignable(from.region, env.REGION, file);
  const signed = verifyRequest(ring, headers, signable, nowMs);
  if (!signed.ok) return { ok: false, status: 401, reason: signed.reason };
  if (!verifyJurisdictionSignature(jurisdictionKeyOf(env), headers, signable))
    return { ok: false, status: 401, reason: "not signed by a region of this jurisdiction" };
  return { ok: true, from };
}
