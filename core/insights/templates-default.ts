// Built-in next-best-action templates: generic ones for any industry and templates for
// medical devices, education and manufacturing, each with the constraints that keep it
// honest (who can sign, how big the buyer is, where the budget cycle stands).
import { z } from "zod";
import { ActionTemplate } from "./schema.ts";

const NOT_PLANNING = ["approved", "unapproved", "unknown"] as const;

export const DEFAULT_TEMPLATES: readonly ActionTemplate[] = z.array(ActionTemplate).parse([
  // ---- Closing: what the contact can actually do with an offer ----
  {
    strategy: "generic.close-now",
    industry: "any",
    topic: "close",
    priority: 90,
    when: {
      signals: ["purchase-intent"],
      authorities: ["budget-holder"],
      budget: ["approved", "unknown"],
    },
    title: "Send the quote and contract for signature now",
    reason: "The customer signalled intent to buy ({quotes}) and the contact holds the budget.",
  },
  {
    strategy: "generic.tender-prep",
    industry: "any",
    topic: "close",
    priority: 88,
    when: { signals: ["purchase-intent"], authorities: ["tender"] },
    title: "Prepare the tender documents and register as a supplier",
    reason:
      "The customer intends to buy ({quotes}) through a public tender; a contract cannot be signed before it.",
  },
  {
    strategy: "generic.champion-business-case",
    industry: "any",
    topic: "close",
    priority: 84,
    when: { signals: ["purchase-intent", "price-sensitivity"], authorities: ["recommender"] },
    title: "Equip your champion with a business case for the decision makers",
    reason:
      "The contact is interested ({quotes}) but does not sign; give them the ROI figures, references and a one-page case to present.",
  },
  {
    strategy: "generic.committee-presentation",
    industry: "any",
    topic: "close",
    priority: 84,
    when: { signals: ["purchase-intent"], authorities: ["committee"] },
    title: "Ask for a slot to present to the purchasing committee",
    reason: "The customer intends to buy ({quotes}) and a committee decides.",
  },
  {
    strategy: "generic.qualify-decision",
    industry: "any",
    topic: "close",
    priority: 80,
    when: { signals: ["purchase-intent"], authorities: ["none", "unknown"] },
    title: "Find out who signs and how the customer buys",
    reason:
      "The customer shows intent ({quotes}) but we do not know a contact who can decide; qualify before sending an offer.",
  },
  // ---- Budget and price ----
  {
    strategy: "generic.budget-plan",
    industry: "any",
    topic: "budget",
    priority: 86,
    when: {
      signals: ["price-sensitivity", "objection", "purchase-intent"],
      budget: ["planning"],
    },
    title: "Get the purchase into next year's budget plan",
    reason:
      "The budget is not approved and the next fiscal year starts in {months} month(s); help {facility} plan it ({quotes}) instead of discounting now.",
  },
  {
    strategy: "generic.value-case",
    industry: "any",
    topic: "price",
    priority: 70,
    when: { signals: ["price-sensitivity"], budget: ["approved", "unknown"] },
    title: "Make the value case before talking discount",
    reason:
      "The customer raised price ({quotes}); show total cost of ownership and savings before conceding on price.",
  },
  {
    strategy: "generic.phased-payment",
    industry: "any",
    topic: "price",
    priority: 70,
    when: { signals: ["price-sensitivity"], budget: ["unapproved"] },
    title: "Offer phased payment that fits this year's funds",
    reason:
      "The customer raised price ({quotes}) and no budget is approved yet; spreading payments lowers what must be found now.",
  },
  // ---- Service, competitors, objections, mood ----
  {
    strategy: "generic.sla-commitment",
    industry: "any",
    topic: "service",
    priority: 74,
    when: { signals: ["service-concern"] },
    title: "Commit to response times in a written service-level agreement",
    reason: "The customer is worried about service ({quotes}).",
  },
  {
    strategy: "generic.competitor-comparison",
    industry: "any",
    topic: "competitor",
    priority: 76,
    when: { signals: ["competitor-mention"] },
    title: "Send a side-by-side comparison with {competitor}",
    reason: "The customer brought up {competitor} ({quotes}).",
  },
  {
    strategy: "generic.objection-discovery",
    industry: "any",
    topic: "objection",
    priority: 60,
    when: { signals: ["objection"] },
    title: "Book a follow-up to get to the real objection",
    reason: "The customer pushed back ({quotes}).",
  },
  {
    strategy: "generic.manager-call",
    industry: "any",
    topic: "relationship",
    priority: 82,
    when: { sentiment: { label: "negative", atLeast: 3 } },
    title: "Escalate: a manager calls the customer within a day",
    reason: "{count} customer utterances were clearly negative.",
  },
  {
    strategy: "generic.ask-referral",
    industry: "any",
    topic: "relationship",
    priority: 50,
    when: { sentiment: { label: "positive", atLeast: 3 } },
    title: "Ask for a reference or a referral while the mood is good",
    reason: "{count} customer utterances were clearly positive.",
  },
  // ---- Medical devices ----
  {
    strategy: "medical.flagship-imaging-demo",
    industry: "medical-devices",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["large"] },
    title: "Invite the imaging department to a flagship MRI / CT reference site",
    reason: "A large hospital intends to buy ({quotes}); a flagship system fits its case mix.",
  },
  {
    strategy: "medical.mid-range-upgrade-path",
    industry: "medical-devices",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["medium"] },
    title: "Propose a mid-range system with a written upgrade path",
    reason: "{facility} intends to buy ({quotes}); size the system to today's volume.",
  },
  {
    strategy: "medical.entry-ultrasound-trial",
    industry: "medical-devices",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent", "price-sensitivity"], scales: ["small"] },
    title: "Offer an on-site trial of the entry-level portable ultrasound",
    reason:
      "{facility} is a small facility ({quotes}); an entry-level unit fits its volume and budget.",
  },
  {
    strategy: "medical.leasing-or-refurbished",
    industry: "medical-devices",
    topic: "price",
    priority: 72,
    when: {
      signals: ["price-sensitivity"],
      scales: ["small", "medium"],
      budget: ["planning", "unapproved", "unknown"],
    },
    title: "Offer leasing or a certified refurbished unit",
    reason: "Price is the obstacle ({quotes}) and no capital budget is approved.",
  },
  {
    strategy: "medical.local-engineer",
    industry: "medical-devices",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: "Put a named local engineer and a 4-hour response into the contract",
    reason: "Downtime stops patient care; the customer asked about service ({quotes}).",
  },
  {
    strategy: "medical.tender-compliance",
    industry: "medical-devices",
    topic: "close",
    priority: 88,
    when: { signals: ["purchase-intent"], authorities: ["tender"] },
    title: "Prepare the registration certificate and check the tender parameters",
    reason:
      "The hospital buys by public tender ({quotes}); registration, authorisation letters and matching technical parameters decide eligibility.",
  },
  // ---- Education ----
  {
    strategy: "education.classroom-pilot",
    industry: "education",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent", "price-sensitivity"], scales: ["small", "medium"] },
    title: "Propose a one-classroom pilot for a semester",
    reason: "{facility} shows interest ({quotes}); a pilot proves the case before a rollout.",
  },
  {
    strategy: "education.framework-agreement",
    industry: "education",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["large"], budget: NOT_PLANNING },
    title: "Offer a framework agreement covering every campus",
    reason:
      "A large buyer intends to purchase ({quotes}); one agreement saves repeated procurement.",
  },
  {
    strategy: "education.teacher-training",
    industry: "education",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: "Include teacher training and on-site support for the first semester",
    reason: "Adoption depends on teachers; the customer asked about support ({quotes}).",
  },
  // ---- Manufacturing ----
  {
    strategy: "manufacturing.downtime-payback",
    industry: "manufacturing",
    topic: "price",
    priority: 72,
    when: { signals: ["price-sensitivity"], budget: NOT_PLANNING },
    title: "Quantify the payback from less downtime and scrap",
    reason: "The customer raised price ({quotes}); plants buy on payback period.",
  },
  {
    strategy: "manufacturing.pilot-line",
    industry: "manufacturing",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["small", "medium"] },
    title: "Propose a pilot on one production line",
    reason: "{facility} intends to buy ({quotes}); one line proves the gain.",
  },
  {
    strategy: "manufacturing.group-framework",
    industry: "manufacturing",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["large"], budget: NOT_PLANNING },
    title: "Offer a group-wide framework agreement with volume pricing",
    reason: "A group intends to buy ({quotes}); standardising across plants is the larger deal.",
  },
  {
    strategy: "manufacturing.spare-parts",
    industry: "manufacturing",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: "Guarantee a spare-parts stock and on-site response time",
    reason:
      "An idle line costs more than the machine; the customer asked about service ({quotes}).",
  },
]);
