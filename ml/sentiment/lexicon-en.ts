// A small English valence lexicon for sentiment-en's lexicon features (ml/features/ngrams.ts
// lexiconGrams): general evaluative words of business conversation, written by the Lifeline
// team from general knowledge of English (not extracted from our corpus or any other list),
// licensed with the project (Apache-2.0). It carries business words the published lists lack
// (outage, downtime, overdue); the published lists feed the valence block (valence-en.ts).
import type { Lexicon } from "../features/config.ts";

/** [valence, words]: each word of the string gets the valence. */
const NEGATIVE: Array<[number, string]> = [
  [
    -3,
    `awful terrible horrible worst nightmare unacceptable disaster disastrous useless
    furious outrageous ridiculous appalling dreadful hate hated hates pathetic garbage
    unusable infuriating disgusted`,
  ],
  [
    -2,
    `bad worse poor poorly disappointing disappointed disappointment frustrated frustrating
    frustration annoyed annoying angry upset unhappy broken broke breaks crash crashed crashes
    crashing fail failed fails failing failure failures unreliable unstable outage outages
    downtime complaint complaints complain complained complaining mess messy waste wasted
    wasting painful faulty defective defect defects glitch glitches buggy
    overpriced mediocre subpar inadequate insufficient unfortunately regret regrets
    struggling struggle struggled struggles hassle stressful stressed unresponsive rude
    ignored lost losing loss damaged damage worried worrying worry worries skeptical
    sceptical dissatisfied unfair letdown underwhelming clunky confusing outdated obsolete
    sorry apologize apologise apologies apology`,
  ],
  [
    -1,
    `problem problems issue issues bug bugs error errors slow slower sluggish delay
    delayed delays late overdue expensive costly pricey concern concerns concerned doubt
    doubts doubtful risky risk risks difficult hard complicated tedious cumbersome burden
    lacking lacks lack missing missed wrong stuck blocked confused tired hesitant
    reluctant unclear unsure cancel cancelled canceled penalty hidden barely weak weaker
    limited limitation limitations drawback drawbacks downside downsides inconsistent
    incompatible cheaper`,
  ],
];

const POSITIVE: Array<[number, string]> = [
  [
    3,
    `excellent amazing awesome fantastic wonderful outstanding superb brilliant perfect
    perfectly love loved loves loving thrilled delighted incredible phenomenal exceptional
    terrific`,
  ],
  [
    2,
    `great impressive impressed happy glad pleased satisfied excited exciting enjoy enjoyed
    enjoying recommend recommended appreciate appreciated appreciative grateful thankful
    reliable seamless seamlessly smooth smoothly helpful valuable successful success
    succeeded improved improvement improvements best beautiful lovely relieved relief
    confident trusted trustworthy fan favorite favourite intuitive effortless painless
    worthwhile delightful`,
  ],
  [
    1,
    `good nice better useful easy easier simple stable fast faster quick quickly
    responsive efficient effective solid strong convenient flexible affordable worth
    benefit benefits beneficial win wins won fine comfortable clear clearer reasonable
    fair promising interested interesting keen eager ready works working`,
  ],
];

const PHRASES: Record<string, number> = {
  "looking forward": 2,
  "well done": 2,
  "big fan": 2,
  "works great": 3,
  "works well": 2,
  "huge difference": 2,
  "no brainer": 2,
  "too expensive": -2,
  "too slow": -2,
  "too much": -1,
  "not happy": -2,
  "fed up": -3,
  "let down": -2,
  "falls short": -2,
  "fell short": -2,
  "went wrong": -2,
  "out of budget": -1,
  "over budget": -2,
  "walk away": -2,
  "second thoughts": -2,
  "back and forth": -1,
  "waste of time": -3,
};

const NEGATORS = `not no never don't doesn't didn't isn't wasn't aren't weren't can't cannot won't
  wouldn't couldn't shouldn't hasn't haven't hadn't nothing nobody none without hardly`;

function entries(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [v, words] of [...NEGATIVE, ...POSITIVE])
    for (const w of words.split(/\s+/).filter(Boolean)) out[w] = v;
  return { ...out, ...PHRASES };
}

export const LEXICON_EN: Lexicon = {
  source: "Lifeline team-written English valence list (ml/sentiment/lexicon-en.ts), Apache-2.0",
  entries: entries(),
  negators: NEGATORS.split(/\s+/).filter(Boolean),
  negationWindow: 3,
};
