// Model artifact layout: a JSON header (labels, feature config, per-layer shapes and byte
// offsets) plus one little-endian blob. Each layer stores its weights (row-major
// [inputs][outputs]) and then its bias; offsets are in bytes from the blob's start. The
// first layer's weights (the hashed-feature table, nearly all of the model) are stored as
// float16, the precision the ONNX export ships them at: the artifact is the shipped model,
// half the size, and its metrics are measured on exactly what serves.
import { z } from "zod";
import { FeatureConfigSchema } from "../features/config.ts";
import { fromFloat16Bits, toFloat16Bits } from "../onnx/float16.ts";
import type { Model } from "./model.ts";

const F32 = "row-major [inputs][outputs] float32 little-endian" as const;
const F16 = "row-major [inputs][outputs] float16 little-endian" as const;

export const ModelHeaderSchema = z.object({
  format: z.literal("lifeline-linear-mlp/1"),
  kind: z.enum(["linear", "mlp"]),
  labels: z.array(z.string()).min(2),
  featureConfig: FeatureConfigSchema,
  weightsFile: z.string(),
  weightsBytes: z.number().int().nonnegative(),
  layers: z.array(
    z.object({
      inputs: z.number().int().positive(),
      outputs: z.number().int().positive(),
      activation: z.enum(["relu", "softmax"]),
      layout: z.enum([F32, F16]),
      weightsOffset: z.number().int().nonnegative(),
      biasOffset: z.number().int().nonnegative(),
    }),
  ),
});
export type ModelHeader = z.infer<typeof ModelHeaderSchema>;

export function encodeModel(
  model: Model,
  weightsFile = "weights.bin",
): { header: ModelHeader; blob: Uint8Array } {
  const bytes = model.layers.reduce(
    (s, l, i) => s + l.weights.length * (i === 0 ? 2 : 4) + l.bias.length * 4,
    0,
  );
  const blob = new Uint8Array(bytes);
  const view = new DataView(blob.buffer);
  let offset = 0;
  const put = (a: Float32Array, half: boolean): number => {
    const start = offset;
    for (let i = 0; i < a.length; i++) {
      if (half) view.setUint16(offset, toFloat16Bits(a[i]!), true);
      else view.setFloat32(offset, a[i]!, true);
      offset += half ? 2 : 4;
    }
    return start;
  };
  const layers = model.layers.map((l, i) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    activation: l.activation,
    layout: i === 0 ? F16 : F32,
    weightsOffset: put(l.weights, i === 0),
    biasOffset: put(l.bias, false),
  }));
  const header: ModelHeader = {
    format: "lifeline-linear-mlp/1",
    kind: model.kind,
    labels: [...model.labels],
    featureConfig: model.featureConfig,
    weightsFile,
    weightsBytes: blob.length,
    layers,
  };
  return { header, blob };
}

export function decodeModel(headerJson: unknown, blob: Uint8Array): Model {
  const header = ModelHeaderSchema.parse(headerJson);
  if (blob.length !== header.weightsBytes) {
    throw new Error(`weights blob is ${blob.length} bytes, header says ${header.weightsBytes}`);
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const read = (offset: number, n: number, half = false): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = half
        ? fromFloat16Bits(view.getUint16(offset + i * 2, true))
        : view.getFloat32(offset + i * 4, true);
    }
    return a;
  };
  return {
    kind: header.kind,
    labels: header.labels,
    featureConfig: header.featureConfig,
    layers: header.layers.map((l) => ({
      inputs: l.inputs,
      outputs: l.outputs,
      activation: l.activation,
      weights: read(l.weightsOffset, l.inputs * l.outputs, l.layout === F16),
      bias: read(l.biasOffset, l.outputs),
    })),
  };
}
