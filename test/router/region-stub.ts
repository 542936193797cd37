// Small Node HTTP servers on 127.0.0.1 that play regional APIs for the router's workerd
// test: they answer /v1/health, echo which region served what, and can be told to fail
// (502), hang, drop the connection or answer wrong-jurisdiction (409).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Mode = "ok" | "fail-502" | "hang" | "drop" | { misdirect: string };

export type Served = {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: string;
};

export type RegionStub = {
  region: string;
  jurisdiction: string;
  url: string;
  /** Requests other than health probes that reached this region. */
  served: Served[];
  /** How lifeline traffic is answered. */
  mode: Mode;
  /** Whether /v1/health answers; a dead region has neither. */
  healthy: boolean;
  kill(): void;
  reset(): void;
  close(): Promise<void>;
};

export async function startRegionStub(region: string, jurisdiction: string): Promise<RegionStub> {
  const stub = { region, jurisdiction, served: [] as Served[], mode: "ok" as Mode, healthy: true };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => answer(req, res, Buffer.concat(chunks).toString("utf8")));
  });

  function answer(req: IncomingMessage, res: ServerResponse, body: string) {
    const path = req.url ?? "/";
    if (path === "/v1/health") {
      if (!stub.healthy) return req.socket.destroy();
      return send(res, 200, { status: "ok", region, jurisdiction });
    }
    const key = req.headers["idempotency-key"];
    stub.served.push({
      method: req.method ?? "GET",
      path,
      idempotencyKey: typeof key === "string" ? key : undefined,
      body,
    });
    const mode = stub.mode;
    if (mode === "hang") return; // closed by the router's timeout, or by close()
    if (mode === "drop") return req.socket.destroy();
    if (mode === "fail-502") return send(res, 502, { error: "bad gateway" }, "text/plain");
    if (typeof mode === "object") {
      return send(
        res,
        409,
        {
          type: "urn:lifeline:problem:wrong-jurisdiction",
          title: "This account's data lives in another jurisdiction",
          status: 409,
          jurisdiction: mode.misdirect,
          regions: [],
        },
        undefined,
        { "lifeline-jurisdiction": mode.misdirect },
      );
    }
    if (req.method === "POST" && path === "/v1/customers") {
      const { id, residency } = JSON.parse(body) as { id: string; residency: string };
      // Streamed without Content-Length, as the regional API sends customer views.
      res.writeHead(201, { "content-type": "application/json", "lifeline-region": region });
      return res.end(JSON.stringify({ id: `acc_${id}`, residency, name: "stub" }));
    }
    return send(res, 200, { servedBy: region, method: req.method, path });
  }

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    type?: string,
    extra: Record<string, string> = {},
  ) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": type ?? (status >= 400 ? "application/problem+json" : "application/json"),
      "content-length": Buffer.byteLength(text),
      "lifeline-region": region,
      ...extra,
    });
    res.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    kill() {
      stub.mode = "drop";
      stub.healthy = false;
    },
    reset() {
      stub.served.length = 0;
      stub.mode = "ok";
      stub.healthy = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
