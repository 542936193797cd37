// Logit-averaging ensembles folded into ONE model of the same shape, so the exporter, the
// ONNX graph and the worker need nothing new: the mean of K linear models' logits is the
// linear model with the mean weights, and the mean of K one-hidden-layer MLPs' logits is
// the MLP whose hidden layer concatenates theirs and whose output rows are scaled by 1/K.
import type { Layer, Model } from "./model.ts";

function sameShape(models: readonly Model[]): void {
  const [first] = models;
  if (!first) throw new Error("an ensemble needs at least one model");
  for (const m of models) {
    if (m.kind !== first.kind) throw new Error("ensemble members differ in kind");
    if (m.labels.join("\n") !== first.labels.join("\n"))
      throw new Error("members differ in labels");
    if (JSON.stringify(m.featureConfig) !== JSON.stringify(first.featureConfig))
      throw new Error("ensemble members differ in feature config");
    if (m.layers.length !== first.layers.length) throw new Error("members differ in depth");
    m.layers.forEach((l, i) => {
      const f = first.layers[i]!;
      // Hidden widths may differ (they are concatenated); inputs, classes and activations may not.
      const last = i === m.layers.length - 1;
      if (
        l.activation !== f.activation ||
        (i === 0 && l.inputs !== f.inputs) ||
        (last && l.outputs !== f.outputs)
      )
        throw new Error(`members differ in layer ${i}`);
    });
  }
}

function meanLinear(models: readonly Model[]): Model {
  const k = models.length;
  const l0 = models[0]!.layers[0]!;
  const weights = new Float32Array(l0.weights.length);
  const bias = new Float32Array(l0.bias.length);
  // Accumulate in float64 in member order: deterministic and free of float32 drift.
  const acc = new Float64Array(weights.length);
  const accB = new Float64Array(bias.length);
  for (const m of models) {
    const l = m.layers[0]!;
    for (let i = 0; i < acc.length; i++) acc[i]! += l.weights[i]!;
    for (let j = 0; j < accB.length; j++) accB[j]! += l.bias[j]!;
  }
  for (let i = 0; i < acc.length; i++) weights[i] = acc[i]! / k;
  for (let j = 0; j < accB.length; j++) bias[j] = accB[j]! / k;
  return { ...models[0]!, layers: [{ ...l0, weights, bias }] };
}

function concatMlp(models: readonly Model[]): Model {
  const k = models.length;
  const firsts = models.map((m) => m.layers[0]!);
  const seconds = models.map((m) => m.layers[1]!);
  const d = firsts[0]!.inputs;
  const c = seconds[0]!.outputs;
  const hs = firsts.map((l) => l.outputs);
  const h = hs.reduce((s, x) => s + x, 0);
  const w1 = new Float32Array(d * h);
  const b1 = new Float32Array(h);
  const w2 = new Float32Array(h * c);
  const acc = new Float64Array(c);
  let offset = 0;
  models.forEach((_, m) => {
    const f = firsts[m]!;
    const s = seconds[m]!;
    const hm = hs[m]!;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < hm; j++) w1[i * h + offset + j] = f.weights[i * hm + j]!;
    }
    for (let j = 0; j < hm; j++) b1[offset + j] = f.bias[j]!;
    for (let j = 0; j < hm; j++) {
      for (let o = 0; o < c; o++) w2[(offset + j) * c + o] = s.weights[j * c + o]! / k;
    }
    for (let o = 0; o < c; o++) acc[o]! += s.bias[o]!;
    offset += hm;
  });
  const first: Layer = { inputs: d, outputs: h, weights: w1, bias: b1, activation: "relu" };
  const second: Layer = {
    inputs: h,
    outputs: c,
    weights: w2,
    bias: Float32Array.from(acc, (x) => x / k),
    activation: "softmax",
  };
  return { ...models[0]!, layers: [first, second] };
}

/** One model whose logits are the mean of the members' logits (members must match in shape). */
export function averageLogits(models: readonly Model[]): Model {
  sameShape(models);
  if (models.length === 1) return models[0]!;
  const kind = models[0]!.kind;
  if (kind === "linear" && models[0]!.layers.length === 1) return meanLinear(models);
  if (kind === "mlp" && models[0]!.layers.length === 2) return concatMlp(models);
  throw new Error(`cannot average ${kind} models with ${models[0]!.layers.length} layers`);
}
