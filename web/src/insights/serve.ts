// The on-device insights worker's message loop, apart from the Worker global so Node tests
// drive it: `init` says where the assets are; each request is answered once, never thrown.
// A language's model (engine.ts, with ORT) is imported and loaded on its first utterance.
import { languageOf } from "../../../core/insights/language.ts";
import { MAX_NORMALISED_LENGTH, MAX_TEXT_LENGTH } from "../../../workers/inference/limits.ts";
import type { SentimentModel } from "./engine.ts";
import type {
  InitMessage,
  ModelLanguage,
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

const LETTER = /\p{L}/u;

/** The model a request goes to, as on the server (workers/api/insights sentimentTargets). */
function languageFor(request: SentimentRequest): ModelLanguage | null {
  if (!LETTER.test(request.text)) return null;
  return (request.lang ?? languageOf(request.text)) === "zh" ? "zh" : "en";
}

async function fetched(fetchImpl: Fetch, url: string) {
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

async function load(
  assets: WorkerAssets,
  lang: ModelLanguage,
  fetchImpl: Fetch,
): Promise<SentimentModel> {
  const { modelUrl, manifestUrl } = assets.models[lang];
  const [engine, onnx, manifest] = await Promise.all([
    import("./engine.ts"),
    fetched(fetchImpl, modelUrl).then((r) => r.arrayBuffer()),
    fetched(fetchImpl, manifestUrl).then((r) => r.json()),
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
  const models = new Map<ModelLanguage, Promise<SentimentModel>>();

  /** Each loaded once and shared by concurrent requests; a failed load is tried again later. */
  const loaded = (from: WorkerAssets, lang: ModelLanguage) => {
    let model = models.get(lang);
    if (!model) {
      model = load(from, lang, fetchImpl);
      model.catch(() => models.delete(lang));
      models.set(lang, model);
    }
    return model;
  };

  async function answer(request: SentimentRequest): Promise<SentimentResponse> {
    const { id, text } = request;
    const invalid = tooLong(text);
    if (invalid) return { id, ok: false, error: "invalid-input", detail: invalid };
    const lang = languageFor(request);
    if (lang === null) return { id, ok: true, result: null };
    if (!assets) return { id, ok: false, error: "unavailable", detail: "no init message yet" };
    let m: SentimentModel;
    try {
      m = await loaded(assets, lang);
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
