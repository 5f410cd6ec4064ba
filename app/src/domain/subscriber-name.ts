import { z } from "zod";

// Counted in user-perceived characters (grapheme clusters), so a name of 256
// emoji or accented letters fits although its UTF-16 length is larger.
export const maxNameLength = 256;

// Characters that have no place in a name and that show up in markup or
// injection attempts.
const forbiddenCharacters = ["/", "(", ")", '"', "<", ">", "\\", "{", "}"];

// Unicode category Cc: C0 controls (including NUL, which PostgreSQL text
// cannot store, tab and line breaks), DEL and C1 controls.
const controlCharacter = /\p{Cc}/u;

// Line and paragraph separators, and the controls that reorder text (bidirectional
// marks, embeddings, overrides and isolates), which would make a stored name display as
// something else than what it holds.
const layoutCharacter = /[\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

// Something that shows: not a space, a format character, a lone combining mark, a private
// use or unassigned code point, or one of the letters that Unicode draws blank (the Hangul
// fillers and the blank Braille pattern).
const visibleCharacter = /[^\p{White_Space}\p{Cf}\p{Mn}\p{Me}\p{Co}\p{Cn}\u115F\u1160\u2800\u3164\uFFA0]/u;

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

// A subscriber's name: not blank, at most 256 characters, free of control
// characters and of / ( ) " < > \ { }. Stored exactly as given.
export const SubscriberName = z
  .string()
  .refine((value) => value.length > 0, { message: "must not be empty", abort: true })
  .refine((value) => value.trim().length > 0, { message: "must not be whitespace only", abort: true })
  .refine((value) => value.isWellFormed(), { message: "must be valid Unicode text", abort: true })
  .refine((value) => !controlCharacter.test(value), { message: "must not contain control characters" })
  .refine((value) => !layoutCharacter.test(value), { message: "must not contain line separators or text direction controls" })
  .refine((value) => visibleCharacter.test(value), { message: "must contain a visible character" })
  .refine((value) => !forbiddenCharacters.some((character) => value.includes(character)), {
    message: `must not contain any of ${forbiddenCharacters.join(" ")}`,
  })
  .refine((value) => !exceedsLength(value, maxNameLength), {
    message: `must be at most ${maxNameLength} characters long`,
  })
  .brand<"SubscriberName">();

export type SubscriberName = z.infer<typeof SubscriberName>;

// Stops counting one past the limit, so a long input costs no more than the
// limit's worth of segmentation. A string of at most `limit` UTF-16 code units
// has at most that many graphemes, so most names skip segmentation.
function exceedsLength(value: string, limit: number): boolean {
  if (value.length <= limit) {
    return false;
  }
  let count = 0;
  for (const _segment of graphemeSegmenter.segment(value)) {
    count += 1;
    if (count > limit) {
      return true;
    }
  }
  return false;
}
