// The subset of onnx.proto (field numbers from onnx/onnx.proto, IR version 8) that the
// sparse-classifier export needs, as plain objects encoded through ProtoWriter.
import { ProtoWriter } from "./protobuf.ts";

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, FLOAT16: 10 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
const AttributeType = { INT: 2, INTS: 7 } as const;

export type Tensor =
  | { name: string; dataType: typeof DataType.FLOAT; dims: number[]; data: Float32Array }
  | { name: string; dataType: typeof DataType.INT64; dims: number[]; data: BigInt64Array }
  /** float16 as raw IEEE binary16 bit patterns (see float16.ts). */
  | { name: string; dataType: typeof DataType.FLOAT16; dims: number[]; data: Uint16Array };

export type Attribute = { name: string; int: number } | { name: string; ints: number[] };

export type Node = {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
};

/** A dimension is a fixed size or a symbolic name (e.g. "N" for the number of features). */
export type ValueInfo = { name: string; elemType: DataType; shape: (number | string)[] };

export type Graph = {
  name: string;
  nodes: Node[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
};

export type Model = {
  irVersion: number;
  opset: number;
  producerName: string;
  modelVersion: number;
  docString: string;
  metadata: Record<string, string>;
  graph: Graph;
};

const hostIsLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** raw_data is little-endian on every platform; copy so a view's byte offset never leaks. */
function littleEndianBytes(data: Float32Array | BigInt64Array | Uint16Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (hostIsLittleEndian) return bytes.slice();
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else if (data instanceof Uint16Array) view.setUint16(i * 2, data[i]!, true);
    else view.setBigInt64(i * 8, data[i]!, true);
  }
  return out;
}

function tensor(t: Tensor): ProtoWriter {
  return new ProtoWriter()
    .packedVarints(1, t.dims)
    .varint(2, t.dataType)
    .string(8, t.name)
    .bytes(9, littleEndianBytes(t.data));
}

function attribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ("int" in a) return w.varint(3, a.int).varint(20, AttributeType.INT);
  return w.packedVarints(8, a.ints).varint(20, AttributeType.INTS);
}

function node(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, attribute(a));
  return w;
}

function valueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim =
      typeof d === "number" ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graph(g: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, node(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensor(t));
  for (const i of g.inputs) w.message(11, valueInfo(i));
  for (const o of g.outputs) w.message(12, valueInfo(o));
  return w;
}

export function encodeModel(m: Model): Uint8Array {
  const w = new ProtoWriter()
    .varint(1, m.irVersion)
    .string(2, m.producerName)
    .varint(5, m.modelVersion)
    .string(6, m.docString)
    .message(7, graph(m.graph))
    .message(8, new ProtoWriter().string(1, "").varint(2, m.opset));
  for (const [key, value] of Object.entries(m.metadata)) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return w.finish();
}
