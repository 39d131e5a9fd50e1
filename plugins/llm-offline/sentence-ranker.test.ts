import assert from "node:assert/strict";
import { loadEnglish, rankSentences } from "./sentence-ranker.ts";

const hours = {
  source: "handbook.md", score: 0.9,
  text: "## Hours\n\nThe Fremantle workshop opens at 7:15 on weekdays and closes at 17:30. On Saturdays it opens at 9:00 and closes at 13:00. " +
    "The Subiaco workshop opens at 8:00 from Monday to Friday. On Saturdays the Subiaco workshop opens at 10:00 and closes at 15:00. " +
    "The Fremantle workshop is closed on Sundays.",
};
const payment = { source: "payment.md", score: 0.5, text: "We accept Visa, Mastercard and cash. We do not accept cheques. Purchases over $1,000 can be paid in four instalments." };
const top = (question: string) => rankSentences(question, [hours, payment])[0]!.sentence;

describe("the offline answerer's sentence ranking", () => {
  before(() => loadEnglish());

  it("answers a Saturday question with the Saturday sentence that refers back to the workshop, not the weekday one or the other workshop's", () => {
    assert.equal(top("When does the Fremantle workshop open on Saturday?"), "On Saturdays it opens at 9:00 and closes at 13:00.");
    assert.equal(top("When does Subiaco open on Saturdays?"), "On Saturdays the Subiaco workshop opens at 10:00 and closes at 15:00.");
  });

  it("meets a weekday with 'weekdays' and 'Monday to Friday', a Sunday with 'closed'", () => {
    assert.equal(top("What time does Fremantle open on a Tue?"), "The Fremantle workshop opens at 7:15 on weekdays and closes at 17:30.");
    assert.equal(top("Is the Subiaco workshop open on Wednesdays?"), "The Subiaco workshop opens at 8:00 from Monday to Friday.");
    assert.equal(top("Is the Fremantle workshop open on Sunday?"), "The Fremantle workshop is closed on Sundays.");
  });

  it("finds a negative answer to a positive question, and joins inflections ('paid' and 'pay', 'instalments' and 'instalment')", () => {
    assert.equal(top("Can I pay by cheque?"), "We do not accept cheques.");
    assert.equal(top("Can I pay in an instalment plan?"), "Purchases over $1,000 can be paid in four instalments.");
  });

  it("says how many of the question's terms the best sentence shares, so the caller can say it does not know", () => {
    const [best] = rankSentences("Do you sell skateboards?", [hours, payment]);
    assert.equal(best!.matched, 0);
  });
});
