// An endless chunked request body over a raw socket, for tests of body limits: unlike
// fetch (which would report only the dropped upload), the test sees the answer while it
// is still sending, and knows exactly how much it sent.
import { connect } from "node:net";

export type ChunkedRequest = {
  method: "POST" | "PUT";
  path: string;
  /** Request headers besides Host and Transfer-Encoding. */
  headers: Record<string, string>;
  /** Bytes to send at most (in 64 KiB chunks). */
  total: number;
};

/**
 * Sends up to `total` bytes as a chunked body over one connection, stopping as soon as an
 * answer's status line arrives (or the server closes); resolves with that status (0 if
 * none came), the bytes sent and the head of the answer (for a failing assertion's message).
 */
export function sendChunked(
  base: string,
  request: ChunkedRequest,
): Promise<{ status: number; sent: number; head: string }> {
  const { hostname, port } = new URL(base);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const frame = Buffer.concat([
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from("\r\n"),
  ]);
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return new Promise((resolve) => {
    let sent = 0;
    let answer = "";
    let done = false;
    const socket = connect(Number(port), hostname);
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({ status: status ? Number(status) : 0, sent, head: answer.slice(0, 400) });
    };
    socket.setTimeout(20_000, finish);
    socket.on("data", (data) => {
      answer += data.toString("latin1");
      if (answer.includes("\r\n")) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    const pump = () => {
      while (!done && sent < request.total) {
        sent += chunk.length;
        if (!socket.write(frame)) return void socket.once("drain", pump);
      }
      if (!done) socket.write("0\r\n\r\n");
    };
    socket.on("connect", () => {
      socket.write(
        `${request.method} ${request.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${headers}` +
          "Transfer-Encoding: chunked\r\n\r\n",
      );
      pump();
    });
  });
}

/**
 * `wrangler dev`'s own proxy answers a request it lost mid-body with a plain-text 503
 * ("Your worker restarted mid-request…", Retry-After: 0), not the worker's answer: seen
 * under a full parallel test run on two cores. Such an answer is retried (at most twice),
 * so what is asserted is always the worker's own answer.
 */
export async function sendChunkedToWorker(base: string, request: ChunkedRequest) {
  let answer = await sendChunked(base, request);
  for (let retry = 0; retry < 2 && isDevProxy503(answer.head); retry++)
    answer = await sendChunked(base, request);
  return answer;
}

function isDevProxy503(head: string): boolean {
  return (
    /^HTTP\/1\.1 503/.test(head) &&
    /content-type: text\/plain/i.test(head) &&
    !/lifeline-region/i.test(head)
  );
}
