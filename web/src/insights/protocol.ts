// The messages between the page (client.ts) and the on-device insights worker (worker.ts):
// one `init` naming where the models and ORT's wasm are, then one request per utterance,
// each answered once with the same id. Types only, plus where the assets are by default.

/** One language's sentiment model, as static assets. */
export type ModelAssets = {
  /** models/sentiment-<lang>/model.onnx. */
  modelUrl: string;
  /** models/sentiment-<lang>/manifest.json (labels, version, the text recipe). */
  manifestUrl: string;
};

/** The languages an on-device model covers: Chinese, and every other text with a letter. */
export type ModelLanguage = "zh" | "en";

/** Where the worker fetches what it runs; all are lazily loaded, never in the app shell. */
export type WorkerAssets = {
  /** Per language; each model is fetched the first time an utterance of its language comes. */
  models: Record<ModelLanguage, ModelAssets>;
  /**
   * onnxruntime-web's `ort-wasm-simd-threaded.wasm` (its dist/, 1.30.0). Unset: ORT's own
   * `new URL("ort-wasm-simd-threaded.wasm", import.meta.url)`, which Vite's build rewrites
   * to the hashed asset it emits (assets/ort-wasm-simd-threaded-<hash>.wasm).
   */
  wasmUrl?: string;
};

/**
 * Where the PWA serves the models (web/vite.config.ts emits them from models/). Offline
 * insights need these precached, with ORT's wasm (assets/ort-wasm-simd-threaded-<hash>
 * .wasm, 14 MB) and the chunks Vite makes of worker.ts, engine.ts and on-device.ts.
 */
export const DEFAULT_ASSETS: Readonly<WorkerAssets> = {
  models: {
    zh: {
      modelUrl: "/models/sentiment-zh/model.onnx",
      manifestUrl: "/models/sentiment-zh/manifest.json",
    },
    en: {
      modelUrl: "/models/sentiment-en/model.onnx",
      manifestUrl: "/models/sentiment-en/manifest.json",
    },
  },
};

export type InitMessage = { type: "init"; assets: WorkerAssets };

/**
 * One utterance to score; `lang` "zh" for the Chinese model, any other value for the English
 * one; absent, core's languageOf decides.
 */
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

/** `result` is null for a text no on-device model reads (no letter in it, as on the server). */
export type SentimentResponse =
  | { id: number; ok: true; result: SentimentResult | null }
  | { id: number; ok: false; error: SentimentError; detail: string };
