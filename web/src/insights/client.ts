// The page's side of the on-device insights worker: started on the first utterance to score,
// each request settled within its timeout, and a bounded number of them outstanding, so a
// slow or broken model costs the page a rejection, never a hang or an unbounded queue.
import {
  DEFAULT_ASSETS,
  type InitMessage,
  type SentimentError,
  type SentimentRequest,
  type SentimentResponse,
  type SentimentResult,
  type WorkerAssets,
} from "./protocol.ts";

/** What the client needs of a Worker (a DOM Worker has it; tests pass a stand-in). */
export type WorkerLike = {
  postMessage(message: InitMessage | SentimentRequest): void;
  terminate(): void;
  onmessage: ((event: { data: SentimentResponse }) => void) | null;
  onerror: ((event: unknown) => void) | null;
};

/**
 * Why a score has no result: the worker's reasons, `timeout`, or `busy` (more requests
 * outstanding than the client allows).
 */
export type ScoreFailure = SentimentError | "timeout" | "busy";

export class ScoreError extends Error {
  constructor(
    readonly reason: ScoreFailure,
    detail: string,
  ) {
    super(detail);
    this.name = "ScoreError";
  }
}

export type SentimentClientOptions = {
  assets?: Partial<WorkerAssets>;
  /** Per request once the model has answered once (default 5 s). */
  timeoutMs?: number;
  /** Per request until then: fetching and compiling ORT's wasm and the model (default 30 s). */
  coldTimeoutMs?: number;
  /** Requests outstanding at once, beyond which `score` rejects as busy (default 256). */
  maxInFlight?: number;
  /** Starts the worker; the default is the module worker beside this file. */
  spawn?: () => WorkerLike;
};

export type SentimentClient = {
  /** The model's answer for one utterance; null when no on-device model covers its language. */
  score(text: string, lang?: string): Promise<SentimentResult | null>;
  /** Stops the worker and rejects what is outstanding; a later `score` starts a new one. */
  dispose(): void;
};

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_COLD_TIMEOUT_MS = 30_000;
/** Two full transcripts (MAX_UTTERANCES each) may be scored at once. */
const DEFAULT_MAX_IN_FLIGHT = 256;

function spawnModuleWorker(): WorkerLike {
  // The global, typed here so this file needs no DOM lib; Vite sees the literal
  // `new Worker(new URL(…, import.meta.url), { type: "module" })` and bundles worker.ts.
  const { Worker } = globalThis as unknown as {
    Worker: new (url: URL, options: { type: "module" }) => WorkerLike;
  };
  return new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
}

type Pending = {
  resolve: (result: SentimentResult | null) => void;
  reject: (err: ScoreError) => void;
  timer: ReturnType<typeof setTimeout>;
};

export function createSentimentClient(options: SentimentClientOptions = {}): SentimentClient {
  const assets: WorkerAssets = { ...DEFAULT_ASSETS, ...options.assets };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const coldTimeoutMs = options.coldTimeoutMs ?? DEFAULT_COLD_TIMEOUT_MS;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const spawn = options.spawn ?? spawnModuleWorker;

  let worker: WorkerLike | null = null;
  /** Whether this worker's model has answered: its requests get the warm timeout. */
  let warm = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function settle(id: number): Pending | undefined {
    const p = pending.get(id);
    if (p) {
      clearTimeout(p.timer);
      pending.delete(id);
    }
    return p;
  }

  /** Drops the worker: a failed ORT initialisation cannot be retried in the same realm. */
  function stop(reason: ScoreFailure, detail: string) {
    worker?.terminate();
    worker = null;
    warm = false;
    for (const id of [...pending.keys()]) settle(id)!.reject(new ScoreError(reason, detail));
  }

  function started(): WorkerLike {
    if (worker) return worker;
    const w = spawn();
    w.onmessage = ({ data }) => {
      const p = settle(data.id);
      if (data.ok) {
        warm = true;
        p?.resolve(data.result);
        return;
      }
      p?.reject(new ScoreError(data.error, data.detail));
      if (data.error === "unavailable" && worker === w) stop("unavailable", data.detail);
    };
    w.onerror = (event) => {
      const message = (event as { message?: string } | null)?.message;
      if (worker === w) stop("unavailable", `the insights worker failed: ${message ?? "error"}`);
    };
    w.postMessage({ type: "init", assets });
    worker = w;
    return w;
  }

  return {
    score(text, lang) {
      if (pending.size >= maxInFlight) {
        return Promise.reject(
          new ScoreError("busy", `${pending.size} utterances are being scored already`),
        );
      }
      const w = started();
      const id = nextId++;
      const ms = warm ? timeoutMs : coldTimeoutMs;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          settle(id)?.reject(new ScoreError("timeout", `no answer within ${ms} ms`));
        }, ms);
        pending.set(id, { resolve, reject, timer });
        w.postMessage(lang === undefined ? { id, text } : { id, text, lang });
      });
    },
    dispose() {
      stop("unavailable", "the insights client was disposed");
    },
  };
}
