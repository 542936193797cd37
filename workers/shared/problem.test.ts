// The one 400 `validation` body of every Lifeline worker, whether zod found the fields
// (validationProblem) or a route did (fieldProblem): same title per part of the request,
// a pointer per field, the detail listing them.
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { validationProblem } from "../api/errors.ts";
import { fieldProblem, Problem, problemResponse } from "./problem.ts";

const bodyOf = async (p: Problem) => JSON.parse(await problemResponse(p, "/v1/x").text());

describe("fieldProblem", () => {
  test("names the part of the request in the title, each field with a pointer, all of them in the detail", async () => {
    const p = fieldProblem("query", [
      { field: "owner", message: "needs a user's session" },
      { field: "a/b~c", message: "is not a known query parameter" },
    ]);
    expect(p).toBeInstanceOf(Problem);
    expect(await bodyOf(p)).toEqual({
      type: "urn:lifeline:problem:validation",
      title: "Invalid query parameters",
      status: 400,
      detail: "owner: needs a user's session; a/b~c: is not a known query parameter",
      instance: "/v1/x",
      errors: [
        { field: "owner", pointer: "#/owner", message: "needs a user's session" },
        { field: "a/b~c", pointer: "#/a~1b~0c", message: "is not a known query parameter" },
      ],
    });
  });

  test("an explicit pointer is kept; extra members come before `errors`", async () => {
    const p = fieldProblem("json", [{ field: "id", pointer: "#/id", message: "omit id" }], {
      jurisdictions: ["cn", "eu"],
    });
    const text = await problemResponse(p, "/v1/x").text();
    expect(text.indexOf('"jurisdictions"')).toBeLessThan(text.indexOf('"errors"'));
    expect(JSON.parse(text)).toMatchObject({
      title: "The request body has invalid fields",
      jurisdictions: ["cn", "eu"],
      errors: [{ field: "id", pointer: "#/id", message: "omit id" }],
    });
  });

  test("validationProblem is fieldProblem over zod's issues: nested paths, unknown keys named themselves", async () => {
    const schema = z.strictObject({ contacts: z.array(z.strictObject({ name: z.string() })) });
    const parsed = schema.safeParse({ contacts: [{ name: 1, nick: "x" }], extra: true });
    if (parsed.success) throw new Error("expected a failure");
    const body = await bodyOf(validationProblem(parsed.error, "json"));
    expect(body.title).toBe("The request body has invalid fields");
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: "contacts.0.name", pointer: "#/contacts/0/name", message: expect.any(String) },
        { field: "contacts.0.nick", pointer: "#/contacts/0/nick", message: "is not a known field" },
        { field: "extra", pointer: "#/extra", message: "is not a known field" },
      ]),
    );
    expect(body.detail).toBe(
      body.errors
        .map((e: { field: string; message: string }) => `${e.field}: ${e.message}`)
        .join("; "),
    );
  });
});
