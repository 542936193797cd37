// The messages between the page (client.ts) and the on-device insights worker (worker.ts):
// one `init` naming where the model and ORT's wasm are, then one request per utterance,
// each answered once with the same id. Types only, plus where the assets are by default.

/** Where the worker fetches what it runs; all are lazily loaded, never in the app shell. */
export type WorkerAssets = {
  /** models/sentiment-zh/model.onnx, served as a static asset. */
  modelUrl: string;
  /** models/sentiment-zh/manifest.json (vocabulary, maxLen, pad, labels, version). */
  manifestUrl: string;
  /**
   * onnxruntime-web's `ort-wasm-simd-threaded.wasm` (its dist/, 1.30.0). Unset: ORT's own
   * `new URL("ort-wasm-simd-threaded.wasm", import.meta.url)`, which Vite's build rewrites
   * to the hashed asset it emits (assets/ort-wasm-simd-threaded-<hash>.wasm).
   */
  wasmUrl?: string;
};

/**
 * Where the PWA serves the model (web/vite.config.ts emits it from models/). Offline
 * insights need these two precached, with ORT's wasm (assets/ort-wasm-simd-threaded-<hash>
 * .wasm, 14 MB) and the chunks Vite makes of worker.ts, engine.ts and on-device.ts.
 */
export const DEFAULT_ASSETS: Readonly<WorkerAssets> = {
  modelUrl: "/models/sentiment-zh/model.onnx",
  manifestUrl: "/models/sentiment-zh/manifest.json",
};

export type InitMessage = { type: "init"; assets: WorkerAssets };

/** One utterance to score; `lang` as core's languageOf says ("zh" or other), else detected. */
export type SentimentRequest = { id: number; text: string; lang?: string };

/** What the model said of one utterance: its most probable label and every probability. */
export type SentimentResult = {
  modelVersion: string;
  labels: string[];
  label: string;
  probabilities: number[];
};

/**
 * Why a request has no result: `unavailable` (the model or ORT could not be loaded, e.g.
 * offline before they were cached: the page restarts the worker to try again),
 * `invalid-input` (beyond the API's text bounds) or `error` (the run failed).
 */
export type SentimentError = "unavailable" | "invalid-input" | "error";

/** `result` is null for a language no on-device model covers (as the server's null). */
export type SentimentResponse =
  | { id: number; ok: true; result: SentimentResult | null }
  | { id: number; ok: false; error: SentimentError; detail: string };
