import { namesIn, withoutNames } from "../../src/training/quoteNames";

test("a trainer's names and titled names leave a quote; the rest of it stays the author's", () => {
  const names = namesIn(["Dr Helen Mayhew and Tom O'Reilly", "Westmere LSCP training team"]);
  expect(names).toEqual(["Helen", "Mayhew", "Tom", "O'Reilly", "Westmere"]);
  expect(withoutNames("Helen Mayhew made it real; Tom's examples too.", names)).toBe("[name removed] made it real; [name removed]'s examples too.");
  expect(withoutNames("I will talk to Mrs Patel and Dr J. Smith before a referral.", names)).toBe("I will talk to [name removed] and [name removed] before a referral.");
  expect(withoutNames("Knowing the LADO's role makes me confident to ask my team.", names)).toBe("Knowing the LADO's role makes me confident to ask my team.");
  // A name inside another word, or in lower case as an ordinary word, is left alone.
  expect(withoutNames("Tomorrow I will tomography... no: I will escalate.", names)).toBe("Tomorrow I will tomography... no: I will escalate.");
  expect(withoutNames("Miss nothing: escalate.", names)).toBe("Miss nothing: escalate.");
});
