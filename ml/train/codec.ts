// Model artifact layout: a JSON header (labels, feature config, per-layer shapes and byte
// offsets) plus one little-endian float32 blob. Each layer stores its weights (row-major
// [inputs][outputs]) and then its bias; offsets are in bytes from the blob's start.
import { z } from "zod";
import { FeatureConfigSchema } from "../features/config.ts";
import type { Model } from "./model.ts";

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
      layout: z.literal("row-major [inputs][outputs] float32 little-endian"),
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
  const floats = model.layers.reduce((s, l) => s + l.weights.length + l.bias.length, 0);
  const blob = new Uint8Array(floats * 4);
  const view = new DataView(blob.buffer);
  let offset = 0;
  const put = (a: Float32Array): number => {
    const start = offset;
    for (let i = 0; i < a.length; i++, offset += 4) view.setFloat32(offset, a[i]!, true);
    return start;
  };
  const layers = model.layers.map((l) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    activation: l.activation,
    layout: "row-major [inputs][outputs] float32 little-endian" as const,
    weightsOffset: put(l.weights),
    biasOffset: put(l.bias),
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
  const read = (offset: number, n: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = view.getFloat32(offset + i * 4, true);
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
      weights: read(l.weightsOffset, l.inputs * l.outputs),
      bias: read(l.biasOffset, l.outputs),
    })),
  };
}
