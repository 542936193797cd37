// The on-device insights worker's message loop, apart from the Worker global so Node tests
// drive it: `init` says where the assets are; each request is answered once, never thrown.
// The model (engine.ts, with ORT) is imported and loaded on the first utterance to score.
import { languageOf } from "../../../core/insights/language.ts";
import { MAX_NORMALISED_LENGTH, MAX_TEXT_LENGTH } from "../../../workers/inference/limits.ts";
import type { SentimentModel } from "./engine.ts";
import type {
  InitMessage,
  SentimentRequest,
  SentimentResponse,
  SentimentResult,
  WorkerAssets,
} from "./protocol.ts";

/** What serve needs of a worker's global scope (a DedicatedWorkerGlobalScope has it). */
export type WorkerScope = {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: SentimentResponse): void;
};

type Fetch = (url: string) => Promise<Pick<Response, "ok" | "status" | "arrayBuffer" | "json">>;

/** The only language an on-device model covers (as on the server: workers/api/insights). */
const MODEL_LANGUAGE = "zh";

async function fetched(fetchImpl: Fetch, url: string) {
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

async function load(assets: WorkerAssets, fetchImpl: Fetch): Promise<SentimentModel> {
  const [engine, onnx, manifest] = await Promise.all([
    import("./engine.ts"),
    fetched(fetchImpl, assets.modelUrl).then((r) => r.arrayBuffer()),
    fetched(fetchImpl, assets.manifestUrl).then((r) => r.json()),
  ]);
  return engine.loadSentimentModel(new Uint8Array(onnx), manifest, assets.wasmUrl);
}

const isRequest = (m: unknown): m is SentimentRequest =>
  typeof m === "object" &&
  m !== null &&
  Number.isSafeInteger((m as SentimentRequest).id) &&
  typeof (m as SentimentRequest).text === "string" &&
  ["string", "undefined"].includes(typeof (m as SentimentRequest).lang);

/** The same bounds as the inference worker's (workers/inference/limits.ts). */
function tooLong(text: string): string | null {
  if (text.length > MAX_TEXT_LENGTH) return `a text is longer than ${MAX_TEXT_LENGTH} characters`;
  if (text.normalize("NFKC").length > MAX_NORMALISED_LENGTH)
    return `a text expands to more than ${MAX_NORMALISED_LENGTH} characters when normalised (NFKC)`;
  return null;
}

export function serve(scope: WorkerScope, fetchImpl: Fetch = (url) => fetch(url)): void {
  let assets: WorkerAssets | undefined;
  let model: Promise<SentimentModel> | undefined;

  /** Loaded once and shared by concurrent requests; a failed load is tried again later. */
  const loaded = (from: WorkerAssets) => {
    if (!model) {
      model = load(from, fetchImpl);
      model.catch(() => {
        model = undefined;
      });
    }
    return model;
  };

  async function answer(request: SentimentRequest): Promise<SentimentResponse> {
    const { id, text } = request;
    const invalid = tooLong(text);
    if (invalid) return { id, ok: false, error: "invalid-input", detail: invalid };
    if ((request.lang ?? languageOf(text)) !== MODEL_LANGUAGE)
      return { id, ok: true, result: null };
    if (!assets) return { id, ok: false, error: "unavailable", detail: "no init message yet" };
    let m: SentimentModel;
    try {
      m = await loaded(assets);
    } catch (err) {
      return { id, ok: false, error: "unavailable", detail: `model not loaded: ${messageOf(err)}` };
    }
    try {
      const { label, probabilities } = await m.score(text);
      const result: SentimentResult = {
        modelVersion: m.modelVersion,
        labels: m.labels,
        label,
        probabilities,
      };
      return { id, ok: true, result };
    } catch (err) {
      return { id, ok: false, error: "error", detail: messageOf(err) };
    }
  }

  scope.onmessage = ({ data }) => {
    if ((data as InitMessage | null)?.type === "init") {
      assets = (data as InitMessage).assets;
      return;
    }
    if (!isRequest(data)) return;
    void answer(data).then((response) => scope.postMessage(response));
  };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
