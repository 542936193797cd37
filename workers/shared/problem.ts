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
