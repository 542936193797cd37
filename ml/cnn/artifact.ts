// The trained char-CNN as committed under `models/<task>/` (format lifeline-char-cnn/1): a JSON
// header (config, vocabulary, wide feature recipe) and one weights blob. The two big tables
// (character embeddings, hashed n-gram weights) are stored as float16, the precision the ONNX
// ships; the convolutions and the output layer stay float32. Decoding yields the float32
// parameters the TypeScript forward pass (model.ts) and the ONNX export both read, so the
// metrics are measured on exactly what ships.
import { z } from "zod";
import { FeatureConfigSchema } from "../features/config.ts";
import { NORMALISE, textChars, type Vocab, vocabFrom } from "../features/vocab.ts";
import { fromFloat16Bits, toFloat16Bits } from "../onnx/float16.ts";
import { type CnnConfig, type Layout, layout } from "./model.ts";

export const CNN_FORMAT = "lifeline-char-cnn/1";

export const CnnHeaderSchema = z.object({
  format: z.literal(CNN_FORMAT),
  kind: z.literal("char-cnn"),
  labels: z
    .array(z.string().min(1))
    .min(2)
    .refine((l) => new Set(l).size === l.length, "labels repeat"),
  config: z.object({
    vocab: z.number().int().positive(),
    embDim: z.number().int().positive(),
    widths: z.array(z.number().int().positive()).min(1),
    filters: z.number().int().positive(),
    classes: z.number().int().min(2),
    wideDim: z.number().int().nonnegative(),
  }),
  /** Characters the convolutions read, from the start of the (normalised) text. */
  maxLen: z.number().int().positive(),
  vocab: z.object({
    chars: z.array(z.string()),
    buckets: z.number().int().nonnegative(),
    hashSeed: z.number().int().nonnegative(),
  }),
  /** The text normalisation of vocab.ts; recorded so a change to it cannot pass unnoticed. */
  normalise: z.object({
    nfkc: z.boolean(),
    lowercase: z.boolean(),
    punctuation: z.enum(["keep", "strip", "fold"]),
    foldDigits: z.boolean(),
  }),
  /** The hashed n-gram recipe of the wide part; null when the model has none. */
  wideFeatures: FeatureConfigSchema.nullable(),
  weightsFile: z.string().min(1),
});
export type CnnHeader = z.infer<typeof CnnHeaderSchema>;

export type CnnArtifact = {
  header: CnnHeader;
  config: CnnConfig;
  layout: Layout;
  /** Float32 parameters in model.ts's layout, float16-rounded where they are stored so. */
  params: Float32Array;
  vocab: Vocab;
};

/** Which parameter ranges are stored as float16: the embedding table and the wide table. */
function halfRanges(l: Layout, c: CnnConfig): Array<[number, number]> {
  return [
    [l.emb, l.emb + c.vocab * c.embDim],
    [l.wide, l.size],
  ];
}

function blobSize(l: Layout, c: CnnConfig): number {
  const half = halfRanges(l, c).reduce((n, [a, b]) => n + (b - a), 0);
  return half * 2 + (l.size - half) * 4;
}

/** Parameters in layout order; each one as float16 or float32, little-endian. */
export function encodeCnn(
  meta: Omit<CnnHeader, "format" | "kind" | "config" | "weightsFile" | "normalise">,
  config: CnnConfig,
  params: Float32Array,
): { header: CnnHeader; blob: Uint8Array } {
  const l = layout(config);
  if (params.length !== l.size) throw new Error(`params: ${params.length} != ${l.size}`);
  const header = CnnHeaderSchema.parse({
    format: CNN_FORMAT,
    kind: "char-cnn",
    ...meta,
    config,
    normalise: NORMALISE,
    weightsFile: "weights.bin",
  });
  const blob = new Uint8Array(blobSize(l, config));
  const view = new DataView(blob.buffer);
  const half = halfRanges(l, config);
  let at = 0;
  for (let i = 0; i < l.size; i++) {
    if (half.some(([a, b]) => i >= a && i < b)) {
      view.setUint16(at, toFloat16Bits(params[i]!), true);
      at += 2;
    } else {
      view.setFloat32(at, params[i]!, true);
      at += 4;
    }
  }
  return { header, blob };
}

export function decodeCnn(headerJson: unknown, blob: Uint8Array): CnnArtifact {
  const header = CnnHeaderSchema.parse(headerJson);
  const config: CnnConfig = { ...header.config, widths: [...header.config.widths] };
  if (JSON.stringify(header.normalise) !== JSON.stringify(NORMALISE))
    throw new Error("artifact was trained with another text normalisation than vocab.ts");
  // An entry that is not one character as textChars yields it (mid-text, where a space
  // counts) could never be looked up.
  const unreadable = header.vocab.chars.find(
    (ch) => [...ch].length !== 1 || textChars(`x${ch}x`)[1] !== ch,
  );
  if (unreadable !== undefined)
    throw new Error(
      `vocabulary entry ${JSON.stringify(unreadable)} is not one normalised character`,
    );
  const vocab = vocabFrom(header.vocab.chars, header.vocab.buckets, header.vocab.hashSeed);
  if (vocab.size !== config.vocab)
    throw new Error(`vocabulary has ${vocab.size} ids, config says ${config.vocab}`);
  if (config.classes !== header.labels.length)
    throw new Error(`labels: ${header.labels.length} != classes ${config.classes}`);
  if ((header.wideFeatures === null) !== (config.wideDim === 0))
    throw new Error("wide feature recipe and wideDim disagree");
  if (header.wideFeatures && 2 ** header.wideFeatures.dimensionBits !== config.wideDim)
    throw new Error(
      `wide features hash into 2^${header.wideFeatures.dimensionBits} ids, not ${config.wideDim}`,
    );
  const l = layout(config);
  const expected = blobSize(l, config);
  if (blob.length !== expected)
    throw new Error(`weights: ${blob.length} bytes, expected ${expected}`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const params = new Float32Array(l.size);
  const half = halfRanges(l, config);
  let at = 0;
  for (let i = 0; i < l.size; i++) {
    if (half.some(([a, b]) => i >= a && i < b)) {
      params[i] = fromFloat16Bits(view.getUint16(at, true));
      at += 2;
    } else {
      params[i] = view.getFloat32(at, true);
      at += 4;
    }
  }
  const bad = params.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`weights: parameter ${bad} is not finite`);
  return { header, config, layout: l, params, vocab };
}
