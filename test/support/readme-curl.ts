// The README's curl commands as requests: each ```sh block is split into commands and
// each command into words the way a POSIX shell would for what the README uses (quotes,
// backslash-newline, $VAR, ${VAR}, $(…) and # comments), with variables taken from a map.
// A `--data-binary @file` body is named, not read: the caller sends the file's bytes.

export type CurlRequest = {
  method: string;
  /** Path and query after `$API`. */
  target: string;
  headers: Record<string, string>;
  /** The `-d` body, parsed as JSON; undefined without one. */
  body: unknown;
  /** The file a `--data-binary @file` body is read from. */
  file?: string;
  /** The status the README says the command answers (`# … → 409`), if it says one. */
  expect?: number;
};

/** Every curl command (also inside `X=$(curl … | …)`) in the ```sh blocks of `markdown`, in order, with `vars` substituted. */
export function curlRequests(markdown: string, vars: (name: string) => string): CurlRequest[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    commands(block).flatMap(({ text, expect }) => {
      const curl = /(?:^|[\s(])(curl\s[\s\S]*)$/.exec(text)?.[1];
      if (curl === undefined) return [];
      const request = toRequest(words(curl, vars));
      return [expect === undefined ? request : { ...request, expect }];
    }),
  );
}

/**
 * Commands of a block: a newline ends one unless it is inside quotes or escaped. A comment
 * on a command's line that says `→ NNN` states the status it answers.
 */
function commands(block: string): Array<{ text: string; expect?: number }> {
  const out: Array<{ text: string; expect?: number }> = [];
  let current = "";
  let expect: number | undefined;
  let quote: string | null = null;
  for (let i = 0; i < block.length; i++) {
    const ch = block[i]!;
    if (quote === null && ch === "\\" && block[i + 1] === "\n") {
      i++;
      current += " ";
      continue;
    }
    if (quote === null && ch === "#" && (current === "" || /\s$/.test(current))) {
      const start = i;
      while (i < block.length && block[i] !== "\n") i++;
      const stated = /→\s*(\d{3})/.exec(block.slice(start, i));
      if (stated && current.trim()) expect = Number(stated[1]);
      i--;
      continue;
    }
    if (quote === null && ch === "\n") {
      if (current.trim()) out.push({ text: current.trim(), ...(expect ? { expect } : {}) });
      current = "";
      expect = undefined;
      continue;
    }
    if (ch === "\\" && quote === '"') {
      current += ch + (block[++i] ?? "");
      continue;
    }
    if (ch === "'" || ch === '"') quote = quote === null ? ch : quote === ch ? null : quote;
    current += ch;
  }
  if (current.trim()) out.push({ text: current.trim(), ...(expect ? { expect } : {}) });
  return out;
}

function words(command: string, vars: (name: string) => string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  const add = (s: string) => {
    word = (word ?? "") + s;
  };
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    // A pipe, `)` (the end of `X=$(curl …)`), `;` or `&&` ends the curl command.
    if (/[|);&]/.test(ch)) break;
    if (/\s/.test(ch)) {
      if (word !== null) out.push(word);
      word = null;
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      add(command.slice(i + 1, end));
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      let s = "";
      while (command[j] !== '"') {
        if (command[j] === "\\" && /["\\$`]/.test(command[j + 1]!)) {
          s += command[j + 1];
          j += 2;
        } else if (command[j] === "$") {
          const [value, next] = expand(command, j, vars);
          s += value;
          j = next;
        } else s += command[j++];
      }
      add(s);
      i = j;
    } else if (ch === "$") {
      const [value, next] = expand(command, i, vars);
      add(value);
      i = next - 1;
    } else add(ch);
  }
  if (word !== null) out.push(word);
  return out;
}

/** `$NAME`, `${NAME}` or `$(command)` at `i`: its value and the index after it. */
function expand(s: string, i: number, vars: (name: string) => string): [string, number] {
  if (s[i + 1] === "(") {
    const end = s.indexOf(")", i);
    return [vars(`$(${s.slice(i + 2, end)})`), end + 1];
  }
  if (s[i + 1] === "{") {
    const end = s.indexOf("}", i);
    return [vars(s.slice(i + 2, end)), end + 1];
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1))![0];
  return [vars(name), i + 1 + name.length];
}

function toRequest(w: string[]): CurlRequest {
  let method = "GET";
  let url = "";
  let data: string | undefined;
  let file: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < w.length; i++) {
    const a = w[i]!;
    if (a.startsWith("-X") && a.length > 2) method = a.slice(2);
    else if (a === "-X") method = w[++i]!;
    else if (a === "-H") {
      const [name, ...rest] = w[++i]!.split(":");
      headers[name!.trim().toLowerCase()] = rest.join(":").trim();
    } else if (a === "-d" || a === "--data") data = w[++i];
    else if (a === "--data-binary" && w[i + 1]?.startsWith("@")) file = w[++i]!.slice(1);
    else if (a === "-w" || a === "-o") i++;
    else if (a.startsWith("-")) continue;
    else url = a;
  }
  const target = url.replace(/^https?:\/\/[^/]+/, "");
  if ((data !== undefined || file !== undefined) && method === "GET") method = "POST";
  const body = data === undefined ? undefined : JSON.parse(data);
  return { method, target, headers, body, ...(file === undefined ? {} : { file }) };
}
