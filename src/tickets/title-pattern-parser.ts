/** Reads a title pattern (the language described in title-pattern.ts) into a tree. */

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

export const MAX_COUNT = 50;
/** Automaton states at most: keeps each check's cost small (title length × this). */
export const MAX_STATES = 1000;

export type CharTest = (c: string) => boolean;
export type Assertion = 'start' | 'end' | 'word-edge' | 'not-word-edge';

export type Ast =
  | { kind: 'empty' }
  | { kind: 'char'; test: CharTest }
  | { kind: 'assert'; what: Assertion }
  | { kind: 'concat'; items: Ast[] }
  | { kind: 'alt'; options: Ast[] }
  | { kind: 'repeat'; item: Ast; min: number; max: number | null };

const isDigit: CharTest = (c) => c >= '0' && c <= '9';
export const isWord: CharTest = (c) =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c === '_';
const SPACE = /^\s$/u;
const isSpace: CharTest = (c) => c === ' ' || SPACE.test(c);
const not =
  (test: CharTest): CharTest =>
  (c) =>
    !test(c);

/** `\d`, `\w`, `\s` and their negations; undefined for any other letter. */
function classEscape(letter: string): CharTest | undefined {
  switch (letter) {
    case 'd':
      return isDigit;
    case 'D':
      return not(isDigit);
    case 'w':
      return isWord;
    case 'W':
      return not(isWord);
    case 's':
      return isSpace;
    case 'S':
      return not(isSpace);
    default:
      return undefined;
  }
}

/** One character, either case. */
function literal(ch: string): CharTest {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  return (c) => c === lower || c === upper || c.toLowerCase() === lower;
}

export class Parser {
  private i = 0;
  private readonly chars: string[];

  constructor(source: string) {
    this.chars = Array.from(source);
  }

  parse(): Ast {
    const ast = this.alternation();
    if (this.i < this.chars.length) throw new PatternError('a “)” without its “(”');
    return ast;
  }

  private peek(): string | undefined {
    return this.chars[this.i];
  }

  private alternation(): Ast {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Ast) : { kind: 'alt', options };
  }

  private sequence(): Ast {
    const items: Ast[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      items.push(this.repeated(this.atom()));
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? (items[0] as Ast) : { kind: 'concat', items };
  }

  private repeated(item: Ast): Ast {
    let result = item;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number | null;
      if (c === '?') [min, max] = [0, 1];
      else if (c === '*') [min, max] = [0, null];
      else if (c === '+') [min, max] = [1, null];
      else if (c === '{') {
        const counted = this.counts();
        if (!counted) return result;
        [min, max] = counted;
      } else return result;
      if (c !== '{') this.i++;
      if (result.kind === 'assert') throw new PatternError(`nothing to repeat before “${c}”`);
      // A lazy repeat (`+?`) matches the same titles: only whether it matches counts here.
      if (this.peek() === '?') this.i++;
      result = { kind: 'repeat', item: result, min, max };
    }
  }

  /** `{n}`, `{n,}` or `{n,m}` at the cursor, consumed; null when the brace is a plain character. */
  private counts(): [number, number | null] | null {
    const rest = this.chars.slice(this.i).join('');
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (!m) return null;
    this.i += Array.from(m[0]).length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
    if (min > MAX_COUNT || (max !== null && max > MAX_COUNT)) {
      throw new PatternError(`repeat counts go up to ${MAX_COUNT}`);
    }
    if (max !== null && max < min) throw new PatternError(`{${min},${max}} counts backwards`);
    return [min, max];
  }

  private atom(): Ast {
    const c = this.chars[this.i++] as string;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        return { kind: 'char', test: () => true };
      case '^':
        return { kind: 'assert', what: 'start' };
      case '$':
        return { kind: 'assert', what: 'end' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new PatternError(`nothing to repeat before “${c}”`);
      default:
        return { kind: 'char', test: literal(c) };
    }
  }

  private group(): Ast {
    if (this.peek() === '?') {
      if (this.chars[this.i + 1] !== ':') {
        throw new PatternError(
          'lookahead, lookbehind and named groups are not supported; use ( ) or (?: )',
        );
      }
      this.i += 2;
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw new PatternError('a “(” without its “)”');
    this.i++;
    return inner;
  }

  private escape(): Ast {
    const c = this.chars[this.i++];
    if (c === undefined) throw new PatternError('a “\\” at the end');
    if (c === 'b') return { kind: 'assert', what: 'word-edge' };
    if (c === 'B') return { kind: 'assert', what: 'not-word-edge' };
    return { kind: 'char', test: this.escapedChar(c) };
  }

  /** What `\c` stands for, in or out of brackets. */
  private escapedChar(c: string): CharTest {
    const cls = classEscape(c);
    if (cls) return cls;
    if (/[0-9]/.test(c)) throw new PatternError('back-references (\\1) are not supported');
    if (/[a-z]/i.test(c)) {
      const special: Record<string, string> = { t: '\t', n: '\n', r: '\r' };
      const ch = special[c];
      if (ch) return literal(ch);
      throw new PatternError(`“\\${c}” is not supported; write the character itself`);
    }
    return literal(c);
  }

  private charClass(): Ast {
    const negate = this.peek() === '^';
    if (negate) this.i++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.chars[this.i++];
      if (c === undefined) throw new PatternError('a “[” without its “]”');
      if (c === ']' && !first) break;
      first = false;
      let lo: string;
      if (c === '\\') {
        const e = this.chars[this.i++];
        if (e === undefined) throw new PatternError('a “\\” at the end');
        const cls = classEscape(e);
        if (cls) {
          tests.push(cls);
          continue;
        }
        if (/[a-z0-9]/i.test(e) && !/[tnr]/.test(e)) {
          throw new PatternError(`“\\${e}” is not supported inside [ ]`);
        }
        lo = ({ t: '\t', n: '\n', r: '\r' } as Record<string, string>)[e] ?? e;
      } else lo = c;
      const next = this.chars[this.i + 1];
      if (this.peek() === '-' && next !== undefined && next !== ']') {
        this.i++;
        let hi = this.chars[this.i++] as string;
        if (hi === '\\') hi = this.chars[this.i++] ?? '';
        if (hi < lo) throw new PatternError(`the range ${lo}-${hi} runs backwards`);
        tests.push((ch) => {
          const l = ch.toLowerCase();
          const u = ch.toUpperCase();
          return (l >= lo && l <= hi) || (u >= lo && u <= hi);
        });
      } else tests.push(literal(lo));
    }
    const any: CharTest = (ch) => tests.some((t) => t(ch));
    return { kind: 'char', test: negate ? not(any) : any };
  }
}
