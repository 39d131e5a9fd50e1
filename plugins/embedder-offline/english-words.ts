/**
 * Just enough English for the offline embedder: the function words that carry no topic, and a
 * light suffix-stripping stemmer (in the spirit of Porter's, far smaller) so that the forms of a
 * word share one feature. It errs on the side of stripping too little: "deliver" and "order"
 * keep their "-er", since stripping it would merge "order" with "ord…" and "number" with "numb".
 */
export const englishStopwords = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by can cannot could " +
    "did do does doing don done down during each few for from further get gets got had has have having he her here hers herself him himself " +
    "his how i if in into is it its itself just let me more most my myself no nor not now of off on once only or other ought our ours " +
    "ourselves out over own please same shall she should so some such than that the their theirs them themselves then there these they this " +
    "those through to too under until up us very was we were what when where which while who whom why will with would yet you your yours " +
    "yourself yourselves s t d ll m re ve " +
    // Words so common in any question or help page that they say nothing about its topic (from
    // the SMART retrieval system's list): "I think I need something new" is about none of them.
    "also anything anyone anybody anyway anywhere else ever every everyone everything get getting go goes going gone know knew known like " +
    "make makes made many maybe might much must need needs new one ones really say said see seen seem seems something someone somebody " +
    "still sure take takes taken tell thing things think thought want wants way well whether without"
  ).split(" "),
);

const doubled = /(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/;

export function englishStem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") || w.endsWith("ied")) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ["ing", "ed"]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && /[aeiouy]/.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      if (doubled.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  if (w.endsWith("ly") && w.length > 5) w = w.slice(0, -2);
  if (w.endsWith("e") && w.length > 3) w = w.slice(0, -1);
  return w;
}
