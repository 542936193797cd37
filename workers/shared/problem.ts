// The one RFC 9457 problem type every Lifeline worker speaks (regional API and router), so
// clients parse one error format wherever a request ends.

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export function problemResponse(p: Problem, instance: string): Response {
  const body = {
    type: `urn:lifeline:problem:${p.slug}`,
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    instance,
    ...p.extra,
  };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...p.headers,
    },
  });
}

/** An offending field of a request: its name, a pointer to it, and what is wrong with it. */
export type FieldError = { field: string; pointer: string; message: string };

/** What a part of the request is called in a 400's title, and what an unknown key in it is. */
const TARGETS = new Map([
  ["json", { title: "The request body has invalid fields", unknown: "is not a known field" }],
  ["query", { title: "Invalid query parameters", unknown: "is not a known query parameter" }],
  ["param", { title: "Invalid path parameter", unknown: "is not a known path parameter" }],
  ["header", { title: "Invalid request header", unknown: "is not a known header" }],
]);

const wordsFor = (target: string) =>
  TARGETS.get(target) ?? { title: `Invalid ${target}`, unknown: "is not known" };

/** What an unknown key of `target` (`json`, `query`, `param`, `header`) is said to be. */
export function unknownKeyMessage(target: string): string {
  return wordsFor(target).unknown;
}

/** A JSON pointer (RFC 6901) to the value at `path`, as a URI fragment. */
export function pointerTo(path: readonly string[]): string {
  return `#/${path.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`;
}

/**
 * The one 400 `validation` problem of every Lifeline worker (regional API and router; no
 * zod here, the router must not pull it in): `target` (`json`, `query`, `param`, `header`)
 * names the part of the request in the title, every offending field is in `errors` with a
 * pointer (by default `#/<field>`), and the detail lists them as `field: message; …`.
 * `extra` members (e.g. the values that would have been valid) come before `errors`.
 */
export function fieldProblem(
  target: string,
  fields: ReadonlyArray<{ field: string; message: string; pointer?: string }>,
  extra: Record<string, unknown> = {},
): Problem {
  const errors: FieldError[] = fields.map(({ field, message, pointer }) => ({
    field,
    pointer: pointer ?? pointerTo([field]),
    message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return new Problem(400, "validation", wordsFor(target).title, detail, { ...extra, errors });
}

/** The one 413 of every Lifeline worker: same type and title, the limit in bytes. */
export function bodyTooLarge(limitBytes: number): Problem {
  return new Problem(
    413,
    "body-too-large",
    "Request body too large",
    `This route takes bodies of at most ${limitBytes} bytes.`,
    { limitBytes },
  );
}

/** A Lifeline-Region hint naming no region of the topology (router and region alike). */
export function unknownRegionHint(hint: string, known: readonly string[]): Problem {
  return new Problem(
    400,
    "unknown-region",
    "Lifeline-Region names no known region",
    `Lifeline-Region: ${hint.slice(0, 64)} is not a region; use one of ${known.join(", ")} or omit the header.`,
    {
      regions: known,
      errors: [
        {
          field: "Lifeline-Region",
          pointer: "header:Lifeline-Region",
          message: "is not a known region",
        },
      ],
    },
  );
}

const REASONS = new Map([
  [400, "Bad request"],
  [401, "Authentication required"],
  [403, "Not allowed for this caller"],
  [404, "Not found"],
  [405, "Method not allowed"],
  [408, "The request took too long to arrive"],
  [413, "Request body too large"],
  [429, "Too many requests"],
]);

/** A title for an HTTP error that carries no problem of its own (a framework's exception). */
export function reasonOf(status: number): string {
  return REASONS.get(status) ?? "Request refused";
}
