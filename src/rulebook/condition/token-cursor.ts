/** Token cursor shared by the condition parser: look-ahead, expectations and located errors. */
import type { SourceLoc } from "./ast.js";
import { tokenize } from "./lexer.js";
import type { Token } from "./lexer.js";
import { conditionSyntaxError, locAt } from "./location.js";
import { describeToken, trailingHint } from "./parse-messages.js";

export class TokenCursor {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(protected readonly text: string) {
    this.tokens = tokenize(text);
  }

  protected peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  protected next(): Token {
    const tok = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return tok;
  }

  protected isPunct(p: string): boolean {
    const tok = this.peek();
    return tok.kind === "punct" && tok.text === p;
  }

  protected isWord(w: string): boolean {
    const tok = this.peek();
    return tok.kind === "word" && tok.text === w;
  }

  protected expectPunct(p: string, what: string): Token {
    const tok = this.peek();
    if (!this.isPunct(p)) throw this.error(tok, `Expected ${what}, found ${describeToken(tok)}`);
    return this.next();
  }

  protected expectClose(open: Token): void {
    const tok = this.peek();
    if (this.isPunct(")")) {
      this.next();
      return;
    }
    const o = this.loc(open);
    throw this.error(tok, `Expected ')' to close the '(' at line ${o.line} col ${o.col}, found ${describeToken(tok)}`, trailingHint(tok));
  }

  protected loc(tok: Token): SourceLoc {
    return locAt(this.text, tok.offset);
  }

  protected error(tok: Token, message: string, hint?: string) {
    return conditionSyntaxError(this.loc(tok), message, hint);
  }
}
