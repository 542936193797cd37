// The contract between training and export: a classifier over sparse hashed features,
// and the reference forward pass every exported ONNX graph must reproduce.

/** One utterance's features: hashed n-gram ids in [0, D) and their weights; ids may repeat. */
export type SparseFeatures = { indices: Int32Array; values: Float32Array };

/** A dense layer: `weights` is float32 row-major [in][out], `bias` is [out]. */
export type Layer = { weights: Float32Array; bias: Float32Array };

/**
 * `linear`: logits = Σ_k values[k]·W[indices[k], :] + b            (layers: [W:[D][C]])
 * `mlp`:    h = relu(Σ_k values[k]·W1[indices[k], :] + b1)          (layers: [W1:[D][H],
 *           logits = h·W2 + b2                                                W2:[H][C]])
 * probabilities = softmax(logits); labels[i] names class i.
 */
export type SparseClassifier =
  | { kind: "linear"; labels: string[]; dims: { D: number; C: number }; layers: [Layer] }
  | {
      kind: "mlp";
      labels: string[];
      dims: { D: number; H: number; C: number };
      layers: [Layer, Layer];
    };

/** Throws on a shape mismatch, so a bad training artifact fails at export, not at inference. */
export function validateModel(model: SparseClassifier): void {
  const { D, C } = model.dims;
  if (model.labels.length !== C) throw new Error(`labels: ${model.labels.length} != C=${C}`);
  const shapes =
    model.kind === "linear"
      ? [[D, C]]
      : [
          [D, model.dims.H],
          [model.dims.H, C],
        ];
  if (model.layers.length !== shapes.length) throw new Error(`expected ${shapes.length} layers`);
  shapes.forEach(([rows, cols], i) => {
    const layer = model.layers[i]!;
    if (layer.weights.length !== rows! * cols!)
      throw new Error(`layer ${i}: weights not [${rows}][${cols}]`);
    if (layer.bias.length !== cols) throw new Error(`layer ${i}: bias not [${cols}]`);
  });
}

/** Σ_k values[k]·W[indices[k], :] + b: the sparse first layer, O(N·out) instead of O(D·out). */
function sparseAffine(layer: Layer, out: number, D: number, f: SparseFeatures): Float64Array {
  if (f.indices.length !== f.values.length) throw new Error("indices and values differ in length");
  const acc = Float64Array.from(layer.bias);
  f.indices.forEach((row, k) => {
    if (!Number.isInteger(row) || row < 0 || row >= D) {
      throw new Error(`feature index ${row} outside [0, ${D})`);
    }
    const v = f.values[k]!;
    for (let j = 0; j < out; j++) acc[j]! += v * layer.weights[row * out + j]!;
  });
  return acc;
}

function softmax(logits: Float64Array): Float32Array {
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return Float32Array.from(exps, (e) => e / sum);
}

/** Reference forward pass in float64; returns class probabilities [C]. */
export function forward(
  model: SparseClassifier,
  indices: Int32Array,
  values: Float32Array,
): Float32Array {
  const { D, C } = model.dims;
  const features = { indices, values };
  if (model.kind === "linear") return softmax(sparseAffine(model.layers[0], C, D, features));
  const { H } = model.dims;
  const h = sparseAffine(model.layers[0], H, D, features).map((x) => Math.max(0, x));
  const [, { weights, bias }] = model.layers;
  const logits = Float64Array.from(bias);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < C; j++) logits[j]! += h[i]! * weights[i * C + j]!;
  }
  return softmax(logits);
}
