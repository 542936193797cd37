// The char-CNN (ml/cnn/model.ts) as an ONNX graph for one utterance:
//
//   ids [T] ─Gather(E, float16)→Cast→Transpose→[1,E,T]─┬─Slice→Conv(w₁)→ReduceMax ─┐
//                                                       ├─Slice→Conv(w₂)→ReduceMax ─┼─Concat→Relu→MatMul+b ─┐
//                                                       └─ … one branch per width ──┘                       ├─Add→Softmax
//   indices [N], values [N] ─Gather(wide, float16)→Cast→Mul→ReduceSum ─────────────────────────────────────┘
//
// `ids` are the utterance's token ids with `pad` = max(width) − 1 padding ids (0) on each side
// (`padIds` in ml/serve/text-input.ts). The forward pass in TypeScript scans, for width w,
// only windows holding at least one real character: those start pad − w + 1 places into the
// padded row. Each branch slices its row to exactly those windows, so max-over-time pools
// the same set of values.
import type { CnnArtifact } from "../cnn/artifact.ts";
import { classifierModel, f16, f32, gatherSum, i64, SPARSE_INPUTS } from "./graph.ts";
import { DataType, type Node, type Tensor } from "./onnx-proto.ts";

/** Padding ids on each side of an utterance's tokens, as the graph expects them. */
export const cnnPad = (widths: readonly number[]): number => Math.max(...widths) - 1;

/**
 * Inputs `ids` int64 [T] (see padIds), `indices` int64 [N] and `values` float32 [N] (the wide
 * part's hashed n-grams; N ≥ 1, a zero-valued id 0 when there are none); outputs `logits` and
 * `probabilities`, float32 [C].
 */
export function exportCharCnn(
  model: CnnArtifact,
  options: { modelVersion?: number; docString?: string } = {},
): Uint8Array {
  const { config: c, layout: l, params: p } = model;
  const E = c.embDim;
  const F = c.filters;
  const C = c.classes;
  const pad = cnnPad(c.widths);
  const slice = (from: number, n: number) => p.slice(from, from + n);

  const initializers: Tensor[] = [
    f16("embedding", [c.vocab, E], slice(l.emb, c.vocab * E)),
    i64("axis0", [0]),
  ];
  const nodes: Node[] = [
    {
      opType: "Gather",
      name: "embed",
      inputs: ["embedding", "ids"],
      outputs: ["emb_f16"],
      attributes: [{ name: "axis", int: 0 }],
    },
    {
      opType: "Cast",
      name: "emb_to_f32",
      inputs: ["emb_f16"],
      outputs: ["emb"],
      attributes: [{ name: "to", int: DataType.FLOAT }],
    },
    {
      opType: "Transpose",
      name: "channels_first",
      inputs: ["emb"],
      outputs: ["emb_et"],
      attributes: [{ name: "perm", ints: [1, 0] }],
    },
    { opType: "Unsqueeze", name: "batch_of_one", inputs: ["emb_et", "axis0"], outputs: ["x"] },
  ];
  const pooled: string[] = [];
  c.widths.forEach((w, wi) => {
    // ONNX Conv weights are [F][E][w]; model.ts stores them [k][e][f].
    const W = new Float32Array(F * E * w);
    for (let k = 0; k < w; k++)
      for (let e = 0; e < E; e++)
        for (let f = 0; f < F; f++) W[(f * E + e) * w + k] = p[l.conv[wi]! + (k * E + e) * F + f]!;
    initializers.push(
      f32(`conv${wi}_w`, [F, E, w], W),
      f32(`conv${wi}_b`, [F], slice(l.convB[wi]!, F)),
    );
    const skip = pad - w + 1;
    let input = "x";
    if (skip > 0) {
      if (!initializers.some((t) => t.name === "axis2")) initializers.push(i64("axis2", [2]));
      initializers.push(i64(`trim${wi}_start`, [skip]), i64(`trim${wi}_end`, [-skip]));
      input = `x_trim${wi}`;
      nodes.push({
        opType: "Slice",
        name: `trim${wi}`,
        inputs: ["x", `trim${wi}_start`, `trim${wi}_end`, "axis2"],
        outputs: [input],
      });
    }
    nodes.push(
      {
        opType: "Conv",
        name: `conv${wi}`,
        inputs: [input, `conv${wi}_w`, `conv${wi}_b`],
        outputs: [`conv${wi}`],
        attributes: [{ name: "kernel_shape", ints: [w] }],
      },
      {
        opType: "ReduceMax",
        name: `pool${wi}`,
        inputs: [`conv${wi}`],
        outputs: [`pool${wi}`],
        attributes: [
          { name: "axes", ints: [2] },
          { name: "keepdims", int: 0 },
        ],
      },
    );
    pooled.push(`pool${wi}`);
  });
  initializers.push(
    f32("out_w", [c.widths.length * F, C], slice(l.out, c.widths.length * F * C)),
    f32("out_b", [C], slice(l.outB, C)),
  );
  nodes.push(
    {
      opType: "Concat",
      name: "features",
      inputs: pooled,
      outputs: ["pooled"],
      attributes: [{ name: "axis", int: 1 }],
    },
    { opType: "Relu", name: "relu", inputs: ["pooled"], outputs: ["hidden"] },
    { opType: "MatMul", name: "project", inputs: ["hidden", "out_w"], outputs: ["projected"] },
    {
      opType: "Squeeze",
      name: "unbatch",
      inputs: ["projected", "axis0"],
      outputs: ["projected_c"],
    },
    {
      opType: "Add",
      name: "bias",
      inputs: ["projected_c", "out_b"],
      outputs: [c.wideDim > 0 ? "deep_logits" : "logits"],
    },
  );
  if (c.wideDim > 0) {
    initializers.push(f16("wide", [c.wideDim, C], slice(l.wide, c.wideDim * C)), i64("axis1", [1]));
    nodes.push(...gatherSum("wide", true, "wide_logits"), {
      opType: "Add",
      name: "wide_and_deep",
      inputs: ["deep_logits", "wide_logits"],
      outputs: ["logits"],
    });
  }
  return classifierModel({
    name: "char_cnn",
    nodes,
    initializers,
    inputs: [
      { name: "ids", elemType: DataType.INT64, shape: ["T"] },
      ...(c.wideDim > 0 ? SPARSE_INPUTS : []),
    ],
    classes: C,
    metadata: {
      kind: "char-cnn",
      labels: JSON.stringify(model.header.labels),
      config: JSON.stringify(c),
      weightType: "float16",
    },
    modelVersion: options.modelVersion,
    docString: options.docString,
  });
}
