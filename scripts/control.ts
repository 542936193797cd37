// The supervisor's control API, on loopback only, for `npm run chaos`: the state of every
// part, and kill / restart / pause / resume of one. Every request needs the local admin
// secret (`Lifeline-Local-Admin`, from <data dir>/secrets.json), as `/__local/*` does.
// Answers are JSON; errors are RFC 9457 problems.
//
//   GET  /parts                      → 200 [PartStatus…]
//   POST /parts/{name}/{action}      → 200 PartStatus | 400 unknown action | 404 unknown part
//                                      | 409 the action does not apply to the part's state
//   GET  /faults                     → 200 [{ name, faults, stats }…] (the fault proxies)
//   PUT  /faults/{name}              → 200 { name, faults } (body: the faults to change)
//   DELETE /faults[/{name}]          → 200 heals one proxy, or all

import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type FaultProxy, Faults } from "../chaos/fault-proxy.ts";
import {
  ACTIONS,
  type Action,
  StateError,
  type Supervisor,
  UnknownPartError,
} from "./supervisor.ts";

export const CONTROL_HEADER = "lifeline-local-admin";
/** Beside the router (8787) and below the region APIs (8801…). */
export const CONTROL_PORT = 8790;
/** Actions wait for a region to start again: bounded, as every request loop here is. */
const MAX_ACTION_MS = 120_000;
const MAX_BODY_BYTES = 16 * 1024;

/** The request body as JSON, at most MAX_BODY_BYTES; undefined when it is not JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new RangeError(`the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function problem(res: ServerResponse, status: number, title: string, detail?: string): void {
  res.writeHead(status, { "content-type": "application/problem+json" });
  res.end(JSON.stringify({ type: "about:blank", title, status, ...(detail ? { detail } : {}) }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

const sameSecret = (given: string | undefined, secret: string) => {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function startControlServer(options: {
  port: number;
  secret: string;
  supervisor: Supervisor;
  /** The topology's fault proxies by name (e.g. `db:cn-east`). */
  faults?: ReadonlyMap<string, FaultProxy>;
}): Promise<Server> {
  const { supervisor, secret } = options;
  const proxies = options.faults ?? new Map<string, FaultProxy>();
  const view = (p: FaultProxy) => ({ name: p.name, faults: p.current, stats: p.stats });
  const faultRoute = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const name = path === "/faults" ? null : decodeURIComponent(path.slice("/faults/".length));
    const proxy = name === null ? null : proxies.get(name);
    if (name !== null && !proxy) {
      const known = [...proxies.keys()].join(", ") || "none";
      return problem(
        res,
        404,
        "Unknown fault proxy",
        `No proxy ${JSON.stringify(name)} (proxies: ${known}).`,
      );
    }
    if (req.method === "GET" && !proxy) return json(res, [...proxies.values()].map(view));
    if (req.method === "DELETE") {
      const healed = proxy ? [proxy] : [...proxies.values()];
      for (const p of healed) p.heal();
      return json(res, healed.map(view));
    }
    if (req.method === "PUT" && proxy) {
      const parsed = Faults.partial()
        .strict()
        .safeParse(await readJson(req));
      if (!parsed.success)
        return problem(
          res,
          400,
          "Invalid faults",
          parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
        );
      proxy.set(parsed.data);
      return json(res, view(proxy));
    }
    return problem(
      res,
      405,
      "Method not allowed",
      "GET /faults, PUT /faults/{name}, DELETE /faults[/{name}]",
    );
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers[CONTROL_HEADER];
    if (!sameSecret(typeof header === "string" ? header : undefined, secret)) {
      req.resume();
      return problem(
        res,
        401,
        "The local admin secret is missing or wrong",
        `Send ${CONTROL_HEADER}.`,
      );
    }
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/faults" || path.startsWith("/faults/")) {
      try {
        return await faultRoute(req, res, path);
      } catch (err) {
        if (err instanceof RangeError) return problem(res, 413, "Body too large", err.message);
        throw err;
      } finally {
        req.resume();
      }
    }
    req.resume();
    if (path === "/parts") {
      if (req.method !== "GET") return problem(res, 405, "Use GET");
      return json(res, supervisor.status());
    }
    const m = /^\/parts\/([a-z0-9-]{1,64})\/([a-z]{1,16})$/.exec(path);
    if (!m) return problem(res, 404, "No such route", "GET /parts or POST /parts/{name}/{action}");
    if (req.method !== "POST") return problem(res, 405, "Use POST");
    const [, name, action] = m as unknown as [string, string, string];
    if (!(ACTIONS as readonly string[]).includes(action))
      return problem(res, 400, "Unknown action", `Actions: ${ACTIONS.join(", ")}.`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const status = await Promise.race([
        supervisor.act(name, action as Action),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${action} of ${name} took longer than ${MAX_ACTION_MS} ms`)),
            MAX_ACTION_MS,
          );
        }),
      ]);
      return json(res, status);
    } catch (err) {
      if (err instanceof UnknownPartError) return problem(res, 404, "Unknown part", err.message);
      if (err instanceof StateError) return problem(res, 409, "Not now", err.message);
      return problem(res, 500, `${action} of ${name} failed`, (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => problem(res, 500, "Control error", err.message));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve(server));
  });
}
