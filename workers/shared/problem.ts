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
