import { cleanText } from '@stagelives/schema';

/** Lengths of the chat domain's texts, in characters (Unicode code points, after cleaning). */
export const CHAT_LIMITS = {
  messageBody: 2_000,
  roomName: 80,
} as const;

/** CRLF, CR, NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029): one line break each. */
const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
/** C0 controls except LF, DEL, and C1 controls (tabs are turned into spaces before this runs). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
const CONTROLS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
/**
 * Invisible format characters that can disguise text: bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069), the byte-order mark / zero-width no-break space
 * (U+FEFF) and interlinear annotation marks (U+FFF9–U+FFFB). ZWJ and ZWNJ (emoji sequences,
 * Indic and Persian scripts) and the LRM/RLM marks stay.
 */
const DISGUISES = /[\u202A-\u202E\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/g;
/** UTF-16 surrogates without their other half: not text, and not storable as UTF-8. */
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The characters of a plain text that are kept, before trimming and the length check: line
 * breaks unified to LF (or, when `multiline` is false, turned into spaces with every run of
 * whitespace collapsed to one space), tabs turned into a space, other controls and disguising
 * format characters removed, lone surrogates removed, and the result in Unicode NFC (so a
 * decomposed Hangul syllable counts as one character, as it looks).
 */
export function stripPlainText(value: string, { multiline }: { multiline: boolean }): string {
  let text = value.replace(LONE_SURROGATES, '').replace(LINE_BREAKS, '\n').replace(/\t/g, ' ').replace(CONTROLS, '').replace(DISGUISES, '').normalize('NFC');
  if (!multiline) text = text.replace(/\s+/g, ' ');
  return text;
}

/** A message body: multi-line plain text, cleaned, trimmed, 1–2,000 characters; else BAD_USER_INPUT on `field`. */
export function cleanMessageBody(value: string, field = 'body'): string {
  return cleanText(stripPlainText(value, { multiline: true }), { field, max: CHAT_LIMITS.messageBody });
}

/** A room name: one line of plain text, cleaned, whitespace collapsed, trimmed, 1–80 characters. */
export function cleanRoomName(value: string, field = 'input.name'): string {
  return cleanText(stripPlainText(value, { multiline: false }), { field, max: CHAT_LIMITS.roomName });
}
