// What a test process left on disk, read back for checks on stored bytes.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under `dir`, recursively, but logs: they record requests, not what is stored. */
export function storedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return storedFiles(p);
    return p.endsWith(".log") ? [] : [p];
  });
}

export const bytesOf = (files: string[]) => Buffer.concat(files.map((f) => readFileSync(f)));
