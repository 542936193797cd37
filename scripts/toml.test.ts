// The TOML subset reader: what wrangler.toml uses is read exactly; the rest fails loudly.
import { expect, test } from "vitest";
import { parseToml } from "./toml.ts";

test("reads tables, arrays of tables, scalars and comments", () => {
  const doc = parseToml(`# top
name = "x" # trailing
flags = ["a", "b#c"]
[[migrations]]
tag = "v1"
[env.cn-east.vars]
PORT = 8801
ON = true
[[env.cn-east.durable_objects.bindings]]
name = "ACCOUNT"
[[env.cn-east.durable_objects.bindings]]
name = "DIRECTORY"
`);
  expect(doc).toEqual({
    name: "x",
    flags: ["a", "b#c"],
    migrations: [{ tag: "v1" }],
    env: {
      "cn-east": {
        vars: { PORT: 8801, ON: true },
        durable_objects: { bindings: [{ name: "ACCOUNT" }, { name: "DIRECTORY" }] },
      },
    },
  });
});

test("reads an array that spans lines", () => {
  expect(parseToml('f = [\n  "a", # one\n  "b",\n]\n')).toEqual({ f: ["a", "b"] });
});

test("rejects what it does not understand, naming the line", () => {
  expect(() => parseToml('a = "x"\nb = { c = 1 }')).toThrow(/wrangler.toml:2/);
  expect(() => parseToml("a = 1\na = 2")).toThrow(/duplicate key a/);
  expect(() => parseToml("x = 1979-05-27")).toThrow(/unsupported value/);
});
