// wink-porter2-stemmer 2.0.1 ships no types: it is one function, a word in and its Porter2 stem out.
declare module "wink-porter2-stemmer" {
  export default function stem(word: string): string;
}
