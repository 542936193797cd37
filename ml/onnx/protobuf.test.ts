// Known wire encodings from the protobuf spec, so the writer is checked without a decoder.
import { expect, test } from "vitest";
import { ProtoWriter } from "./protobuf.ts";

const hex = (w: ProtoWriter) => Buffer.from(w.finish()).toString("hex");

test("a varint field encodes as in the spec's 150 example", () => {
  expect(hex(new ProtoWriter().varint(1, 150))).toBe("089601");
});

test("a negative int64 is sign-extended to ten bytes", () => {
  expect(hex(new ProtoWriter().varint(3, -1))).toBe("18ffffffffffffffffff01");
});

test("a string is length-delimited UTF-8", () => {
  expect(hex(new ProtoWriter().string(2, "testing"))).toBe("120774657374696e67");
});

test("packed repeated varints share one length prefix", () => {
  expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]))).toBe("2206038e029ea705");
});

test("a float is fixed32 little-endian", () => {
  expect(hex(new ProtoWriter().float(1, 1))).toBe("0d0000803f");
});

test("a nested message is embedded length-delimited", () => {
  expect(hex(new ProtoWriter().message(3, new ProtoWriter().varint(1, 150)))).toBe("1a03089601");
});

test("a field number above 15 takes a two-byte tag", () => {
  expect(hex(new ProtoWriter().varint(20, 7))).toBe("a00107");
});
