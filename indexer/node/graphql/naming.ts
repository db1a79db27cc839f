// The names graph-node gives the query fields of an entity type: `Task` → `task` and `tasks`. graph-node derives them
// with the Rust `Inflector` crate (0.11): camelCase of the type name, and camelCase of its English plural; when both
// come out the same (`TaskStatus`), the plural gets a `_collection` suffix. A query written against The Graph names
// these fields, so they must come out identical here, including Inflector's quirks (`ERC20Token` → `erc20Token`,
// `Person` → `persons`, because its rules only match lowercase endings).

/** Words Inflector leaves unchanged when asked for a plural; matched against the whole (case-sensitive) name. */
const UNCOUNTABLE = new Set(
  (
    "accommodation adulthood advertising advice aggression aid air aircraft alcohol anger applause arithmetic " +
    "assistance athletics bacon baggage beef biology blood botany bread butter carbon cardboard cash chalk chaos chess " +
    "crossroads countryside dancing deer dignity dirt dust economics education electricity engineering enjoyment envy " +
    "equipment ethics evidence evolution fame fiction flour flu food fuel fun furniture gallows garbage garlic genetics " +
    "gold golf gossip grammar gratitude grief guilt gymnastics happiness hardware harm hate hatred health heat help " +
    "homework honesty honey hospitality housework humour hunger hydrogen ice importance inflation information innocence " +
    "iron irony jam jewelry judo karate knowledge lack laughter lava leather leisure lightning linguine linguini " +
    "linguistics literature litter livestock logic loneliness luck luggage macaroni machinery magic management mankind " +
    "marble mathematics mayonnaise measles methane milk money mud music mumps nature news nitrogen nonsense nurture " +
    "nutrition obedience obesity oxygen pasta patience physics poetry pollution poverty pride psychology publicity " +
    "punctuation quartz racism relaxation reliability research respect revenge rice rubbish rum safety scenery seafood " +
    "seaside series shame sheep shopping sleep smoke smoking snow soap software soil spaghetti species steam stuff " +
    "stupidity sunshine symmetry tennis thirst thunder timber traffic transportation trust underwear unemployment unity " +
    "validity veal vegetation vegetarianism vengeance violence vitality warmth wealth weather welfare wheat wildlife " +
    "wisdom yoga zinc zoology"
  ).split(" "),
);

const IRREGULAR: Record<string, string> = {
  ox: "oxen",
  man: "men",
  woman: "women",
  die: "dice",
  yes: "yeses",
  foot: "feet",
  eave: "eaves",
  goose: "geese",
  tooth: "teeth",
  quiz: "quizzes",
};

/**
 * Inflector's plural rules, most specific first (it tries its table from the end). The first rule whose pattern is
 * found anywhere in the word wins: the word becomes the first capture followed by the suffix.
 */
const PLURAL_RULES: [RegExp, string][] = [
  [/(\w*eaux)$/, ""],
  [/(\w*(child))(?:ren)?$/, "ren"],
  [/(\w*(pe)(?:rson|ople))$/, "ople"],
  [/(\w*(m|l)(?:ice|ouse))$/, "ice"],
  [/(\w*(matr|cod|mur|sil|vert|ind|append))(?:ix|ex)$/, "ices"],
  [/(\w*(x|ch|ss|sh|zz))$/, "es"],
  [/(\w*(x|ch|ss|sh|zz)es)$/, ""],
  [/(\w*([^ch][ieo][ln]))ey$/, "ies"],
  [/(\w*([^aeiouy]|qu))y$/, "ies"],
  [/(\w*(ar|l|ea|eo|oa|hoo))f$/, "ves"],
  [/(\w*(kni|wi|li))fe$/, "ves"],
  [/(\w*)sis$/, "ses"],
  [/(\w*(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat))(?:a|on)$/, "a"],
  [
    /(\w*(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor))(?:a|um)$/,
    "a",
  ],
  [/(\w*(her|at|gr))o$/, "oes"],
  [/(\w*(seraph|cherub))(?:im)?$/, "im"],
  [/(\w*(alumn|alg|vertebr))(?:a|ae)$/, "ae"],
  [/(\w*(alumn|syllab|octop|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat))(?:us|i)$/, "i"],
  [/(\w*([^l]ias|[aeiou]las|[emjzr]as|[iu]am))$/, ""],
  [/(\w*(e[mn]u))s?$/, "s"],
  [/(\w*(alias|[^aou]us|tlas|gas|ris))$/, "es"],
  [/(\w*(ax|test))is$/, "es"],
  [/(\w*([^aeiou]ese))$/, ""],
  [/(\w*)s$/, "s"],
];

/** Inflector's `to_plural`. */
export function pluralize(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  const irregular = IRREGULAR[word];
  if (irregular !== undefined) return irregular;
  for (const [pattern, suffix] of PLURAL_RULES) {
    const match = pattern.exec(word);
    if (match && match[1] !== undefined) return match[1] + suffix;
  }
  return `${word}s`;
}

const isAlphanumeric = (character: string) => /^[\p{L}\p{N}]$/u.test(character);
const isNumeric = (character: string) => /^\p{N}$/u.test(character);
const isLowercase = (character: string) =>
  character !== character.toUpperCase() && character === character.toLowerCase();
const isUppercase = (character: string) =>
  character !== character.toLowerCase() && character === character.toUpperCase();

/**
 * Inflector's `to_camel_case`: separators (anything not alphanumeric) start a new word, as do digits and a capital
 * right after a lowercase letter; a new word starts with a capital, everything else is lowercased. The first letter
 * is lowercased because it is not a new word.
 */
export function camelCase(text: string): string {
  const characters = [...text.replace(/[^\p{L}\p{N}]+$/u, "")];
  let newWord = false;
  let lastCharacter = " ";
  let foundRealCharacter = false;
  let result = "";
  for (const character of characters) {
    if (!isAlphanumeric(character)) {
      if (foundRealCharacter) newWord = true;
      continue;
    }
    if (isNumeric(character)) {
      foundRealCharacter = true;
      newWord = true;
      result += character;
    } else if (newWord || (isLowercase(lastCharacter) && isUppercase(character))) {
      // Inflector does not remember a word's first letter as the previous character.
      foundRealCharacter = true;
      newWord = false;
      result += character.toUpperCase();
    } else {
      foundRealCharacter = true;
      lastCharacter = character;
      result += character.toLowerCase();
    }
  }
  return result;
}

/** graph-node's `(singular, plural)` query field names for an entity type. */
export function queryFieldNames(typeName: string): { singular: string; plural: string } {
  const singular = camelCase(typeName);
  let plural = camelCase(pluralize(typeName));
  if (plural === singular) plural += "_collection";
  return { singular, plural };
}
