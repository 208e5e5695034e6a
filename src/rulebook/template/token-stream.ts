/** Cursor over the lexer's tokens with Jinja-style "expected X, got Y" errors. */
import type { HookbookError } from "../../core/errors.js";
import type { Token } from "./lexer.js";
import { templateSyntaxError } from "./template-error.js";

export function describeToken(token: Token): string {
  switch (token.type) {
    case "var_end":
      return "end of print statement";
    case "block_end":
      return "end of statement block";
    case "var_begin":
      return "begin of print statement";
    case "block_begin":
      return "begin of statement block";
    case "eof":
      return "end of template";
    case "string":
      return "string";
    case "text":
      return "template data";
    default:
      return `'${String(token.value)}'`;
  }
}

export class TokenStream {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    readonly source: string,
  ) {}

  get current(): Token {
    return this.tokens[this.index] ?? this.last();
  }

  look(n = 1): Token {
    return this.tokens[this.index + n] ?? this.last();
  }

  next(): Token {
    const token = this.current;
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  isOp(value: string, token: Token = this.current): boolean {
    return token.type === "op" && token.value === value;
  }

  isName(value: string, token: Token = this.current): boolean {
    return token.type === "name" && token.value === value;
  }

  skipOp(value: string): boolean {
    if (!this.isOp(value)) return false;
    this.next();
    return true;
  }

  skipName(value: string): boolean {
    if (!this.isName(value)) return false;
    this.next();
    return true;
  }

  expectOp(value: string): Token {
    if (!this.isOp(value)) throw this.fail(`expected '${value}', got ${describeToken(this.current)}`);
    return this.next();
  }

  expectName(what = "a name"): Token & { readonly value: string } {
    const token = this.current;
    if (token.type !== "name") throw this.fail(`expected ${what}, got ${describeToken(token)}`);
    this.next();
    return token as Token & { readonly value: string };
  }

  expectType(type: Token["type"], what: string): Token {
    if (this.current.type !== type) throw this.fail(`expected ${what}, got ${describeToken(this.current)}`);
    return this.next();
  }

  fail(message: string, token: Token = this.current): HookbookError {
    return templateSyntaxError(message, this.source, token.offset);
  }

  private last(): Token {
    return this.tokens[this.tokens.length - 1] as Token;
  }
}
