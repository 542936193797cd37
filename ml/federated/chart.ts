// The README's chart of a `npm run federate` report: macro-F1 on the held-out split per
// round of the live federation, against the pooled upper bound and each region alone
// (dashed, flat: they do not take rounds). Pure: report in, SVG text out.

export type ChartInput = {
  rounds: Array<{ round: number; macroF1: number }>;
  pooled: number;
  alone: Record<string, number>;
  title: string;
};

const W = 600;
const H = 300;
const PAD = { left: 56, right: 200, top: 30, bottom: 40 };
const COLOURS = ["#b45309", "#7c3aed", "#0f766e", "#be123c"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function roundsChart(input: ChartInput): string {
  const values = [
    input.pooled,
    ...Object.values(input.alone),
    ...input.rounds.map((r) => r.macroF1),
  ];
  const lo = Math.floor(Math.min(...values) * 10) / 10;
  const hi = Math.ceil(Math.max(...values) * 10) / 10;
  const last = Math.max(1, ...input.rounds.map((r) => r.round));
  const x = (round: number) => PAD.left + ((W - PAD.left - PAD.right) * round) / last;
  const y = (v: number) =>
    PAD.top + ((H - PAD.top - PAD.bottom) * (hi - v)) / Math.max(hi - lo, 0.01);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="18" font-size="13">${esc(input.title)}</text>`,
  ];
  for (let v = lo; v <= hi + 1e-9; v += 0.05) {
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`,
    );
  }
  for (let r = 1; r <= last; r++)
    out.push(`<text x="${x(r)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${r}</text>`);
  out.push(
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 6}" text-anchor="middle">round</text>`,
    `<text transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">macro-F1</text>`,
  );
  const flat = (v: number, colour: string, label: string, row: number) => {
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-dasharray="5 4"/>`,
      `<text x="${W - PAD.right + 8}" y="${PAD.top + 16 * row}" fill="${colour}">${esc(label)} ${v.toFixed(3)}</text>`,
    );
  };
  flat(input.pooled, "#111827", "pooled (upper bound)", 1);
  Object.entries(input.alone).forEach(([region, v], i) => {
    flat(v, COLOURS[i % COLOURS.length]!, `${region} alone`, i + 2);
  });
  const points = input.rounds.map((r) => `${x(r.round)},${y(r.macroF1)}`).join(" ");
  out.push(`<polyline points="${points}" fill="none" stroke="#2563eb" stroke-width="2.5"/>`);
  for (const r of input.rounds)
    out.push(`<circle cx="${x(r.round)}" cy="${y(r.macroF1)}" r="3.5" fill="#2563eb"/>`);
  const final = input.rounds.at(-1)?.macroF1;
  out.push(
    `<text x="${W - PAD.right + 8}" y="${PAD.top}" fill="#2563eb">federated${final === undefined ? "" : ` ${final.toFixed(3)}`}</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}
