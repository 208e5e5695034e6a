/**
 * Decoding of Jinja string literals. Jinja runs the literal body through Python's `unicode-escape`
 * codec, so the escape rules are Python's: `\n \t \r \a \b \f \v \\ \' \"`, octal `\1`..`\777`,
 * `\xhh`, `\uhhhh`, `\Uhhhhhhhh`; a backslash before any other character is kept as is (which is why
 * `'\d+'` reaches the regex engine unchanged while `'\1'` becomes the character U+0001).
 */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
};

const HEX_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Returns the decoded text, or an error message and the offset (in `body`) of the bad escape. */
export function decodePythonEscapes(body: string): { value: string } | { error: string; offset: number } {
  if (!body.includes("\\")) return { value: body };
  let out = "";
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (ch !== "\\" || i + 1 >= body.length) {
      out += ch;
      i++;
      continue;
    }
    const next = body[i + 1] as string;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (next >= "0" && next <= "7") {
      let j = i + 1;
      while (j < body.length && j < i + 4 && (body[j] as string) >= "0" && (body[j] as string) <= "7") j++;
      out += String.fromCodePoint(parseInt(body.slice(i + 1, j), 8));
      i = j;
      continue;
    }
    const hexLen = HEX_LENGTH[next];
    if (hexLen !== undefined) {
      const hex = body.slice(i + 2, i + 2 + hexLen);
      if (hex.length !== hexLen || !/^[0-9a-fA-F]+$/.test(hex)) {
        return { error: `truncated \\${next} escape`, offset: i };
      }
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return { error: `illegal Unicode character \\${next}${hex}`, offset: i };
      out += String.fromCodePoint(cp);
      i += 2 + hexLen;
      continue;
    }
    if (next === "N") return { error: "\\N{...} escapes are not supported", offset: i };
    out += "\\" + next;
    i += 2;
  }
  return { value: out };
}
