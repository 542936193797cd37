// Call notes or a pasted transcript → the API's utterances. A line may name its speaker
// ("客户：…", "Customer: …", "销售：…", "Rep: …", "我：…"); a line without one continues
// the previous speaker, and notes with no speaker at all are the customer's words as the
// rep heard them. Bounded like the API: at most MAX_UTTERANCES lines of MAX_CHARS.
export type Utterance = { speaker: "customer" | "rep"; text: string };

export const MAX_UTTERANCES = 500;
export const MAX_CHARS = 2000;

const CUSTOMER = /^(客户|顾客|客戶|customer|client|c)\s*[:：]\s*/i;
const REP = /^(销售|我|我方|代表|rep|sales|me|r)\s*[:：]\s*/i;

export function parseTranscript(text: string): Utterance[] {
  const out: Utterance[] = [];
  let speaker: Utterance["speaker"] = "customer";
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line) continue;
    const c = CUSTOMER.exec(line);
    const r = REP.exec(line);
    if (c) {
      speaker = "customer";
      line = line.slice(c[0].length);
    } else if (r) {
      speaker = "rep";
      line = line.slice(r[0].length);
    }
    line = line.trim().slice(0, MAX_CHARS);
    if (!line) continue;
    out.push({ speaker, text: line });
    if (out.length >= MAX_UTTERANCES) break;
  }
  return out;
}
