// Every byte that crosses between two test regions, kept: one loopback HTTP proxy per
// direction of each link (a region's REGIONS map names the proxy as its peer's URL), which
// forwards as it is told and records each request and answer in full. `tamper` lets a test
// play the network attacker on answers.
import { createServer, type IncomingMessage, type Server } from "node:http";

export type Exchange = {
  from: string;
  to: string;
  method: string;
  path: string;
  request: Buffer;
  status: number;
  response: Buffer;
};

export type Tamper = (x: { from: string; to: string; path: string }, body: Buffer) => Buffer;

const HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class Recorder {
  readonly exchanges: Exchange[] = [];
  tamper: Tamper | null = null;
  private readonly servers: Server[] = [];

  /** A proxy for `from` → `to` (reached at `target`); its URL is what `from` calls `to` by. */
  async link(from: string, to: string, target: () => string): Promise<string> {
    const server = createServer(async (req, res) => {
      const request = await bodyOf(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !HOP.has(k)) as [string, string][],
      );
      try {
        const answer = await fetch(`${target()}${req.url}`, {
          method: req.method,
          headers,
          body: request.length > 0 ? request : undefined,
        });
        let response: Buffer = Buffer.from(await answer.arrayBuffer());
        const path = req.url ?? "";
        if (this.tamper) response = this.tamper({ from, to, path }, response);
        this.exchanges.push({
          from,
          to,
          method: req.method ?? "",
          path,
          request,
          status: answer.status,
          response,
        });
        const out: Record<string, string> = {};
        answer.headers.forEach((value, key) => {
          if (!HOP.has(key) && key !== "content-encoding") out[key] = value;
        });
        res.writeHead(answer.status, out).end(response);
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || address === null) throw new Error("proxy did not listen");
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }
}

/**
 * Whether `haystack` holds any text of `texts` or a window of it: `window` UTF-16 units of
 * every text at least that long (shorter ones whole, when they hold a character base64 and
 * hex never do). One pass over the haystack with the
 * windows in a set, so megabytes of traffic against thousands of texts stay fast.
 */
export function findLeaks(haystack: string, texts: readonly string[], window: number): string[] {
  const windows = new Map<string, string>();
  const whole: string[] = [];
  for (const t of texts) {
    // A short text is looked for whole only when it cannot be base64 or hex by chance.
    if (t.length < window) {
      if (t.length >= 4 && /[^A-Za-z0-9+/=]/.test(t)) whole.push(t);
    } else for (let i = 0; i + window <= t.length; i++) windows.set(t.slice(i, i + window), t);
  }
  const found = new Set<string>();
  for (let i = 0; i + window <= haystack.length; i++) {
    const hit = windows.get(haystack.slice(i, i + window));
    if (hit) found.add(hit);
  }
  for (const t of whole) if (haystack.includes(t)) found.add(t);
  return [...found];
}
