// Reading a body under a hard byte limit that holds for chunked bodies too: the stream is
// counted as it arrives and cancelled the moment it passes the limit, so a 100 MB body
// costs the reader at most the limit plus one chunk, never the whole body. Used by the
// replication receiver (peer requests) and the router (region responses).

/** The whole body, or null (and the stream cancelled) once it passes `maxBytes`. */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/** A request's body; a declared or streamed size past `maxBytes` throws BodyTooLarge. */
export async function readBoundedBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw new BodyTooLarge(maxBytes);
  }
  const bytes = await readBounded(req.body, maxBytes);
  if (bytes === null) throw new BodyTooLarge(maxBytes);
  return bytes;
}

/** readBoundedBytes, as text. */
export async function readBoundedText(req: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBoundedBytes(req, maxBytes));
}
