/**
 * The agency's own title patterns (Settings → Security), matched in time that
 * grows in step with the title, whatever the pattern.
 *
 * JavaScript's RegExp backtracks: `(a|a)+b` against thirty `a`s and a `c` took
 * 18 seconds and held every other request. Here a pattern is compiled into a
 * Thompson automaton and run by following every possible path at once (Russ Cox,
 * "Regular Expression Matching Can Be Simple And Fast"), so a check costs at
 * most the title's length times the pattern's size: no pattern can freeze the
 * server, and no native dependency is needed.
 *
 * The language is the everyday part of regular expressions, matched without
 * regard to case: letters and digits stand for themselves; `.` any character;
 * `\d` digit, `\w` letter/digit/underscore, `\s` space (and `\D` `\W` `\S`);
 * `[abc]`, `[a-z]`, `[^0-9]`; `\b` a word's edge; `^` start, `$` end; `( )`
 * and `(?: )` to group; `|` or; `?` `*` `+` `{n}` `{n,}` `{n,m}` repeats
 * (counts up to 50); `\` before any other symbol means that symbol. Lookahead,
 * lookbehind and back-references are not part of it: they are what makes
 * matching slow.
 */

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const MAX_COUNT = 50;
/** Automaton states at most: keeps each check's cost small (title length × this). */
const MAX_STATES = 1000;

type CharTest = (c: string) => boolean;
type Assertion = 'start' | 'end' | 'word-edge' | 'not-word-edge';

type Ast =
  | { kind: 'empty' }
  | { kind: 'char'; test: CharTest }
  | { kind: 'assert'; what: Assertion }
  | { kind: 'concat'; items: Ast[] }
  | { kind: 'alt'; options: Ast[] }
  | { kind: 'repeat'; item: Ast; min: number; max: number | null };

const isDigit: CharTest = (c) => c >= '0' && c <= '9';
const isWord: CharTest = (c) =>
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

class Parser {
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

/** Automaton states: a character step, a fork, a zero-width check, or the end. */
type State =
  | { kind: 'char'; test: CharTest; out: number }
  | { kind: 'split'; out: number; out2: number }
  | { kind: 'assert'; what: Assertion; out: number }
  | { kind: 'match' };

/** Compiles to states; every `out` of -1 is patched to the next fragment's start. */
class Compiler {
  readonly states: State[] = [];

  add(state: State): number {
    if (this.states.length >= MAX_STATES) {
      throw new PatternError('the pattern repeats too much; use smaller counts');
    }
    this.states.push(state);
    return this.states.length - 1;
  }

  /** Emits `ast` so that it continues at `next`; returns its start state. */
  emit(ast: Ast, next: number): number {
    switch (ast.kind) {
      case 'empty':
        return next;
      case 'char':
        return this.add({ kind: 'char', test: ast.test, out: next });
      case 'assert':
        return this.add({ kind: 'assert', what: ast.what, out: next });
      case 'concat': {
        let start = next;
        for (let k = ast.items.length - 1; k >= 0; k--) {
          start = this.emit(ast.items[k] as Ast, start);
        }
        return start;
      }
      case 'alt': {
        const starts = ast.options.map((o) => this.emit(o, next));
        let start = starts[starts.length - 1] as number;
        for (let k = starts.length - 2; k >= 0; k--) {
          start = this.add({ kind: 'split', out: starts[k] as number, out2: start });
        }
        return start;
      }
      case 'repeat': {
        let start = next;
        if (ast.max === null) {
          // item* : a fork that either enters the item (which loops back) or leaves.
          const loop = this.add({ kind: 'split', out: -1, out2: next });
          const body = this.emit(ast.item, loop);
          (this.states[loop] as { out: number }).out = body;
          start = loop;
        } else {
          for (let k = ast.max; k > ast.min; k--) {
            const body = this.emit(ast.item, start);
            start = this.add({ kind: 'split', out: body, out2: next });
          }
        }
        for (let k = 0; k < ast.min; k++) start = this.emit(ast.item, start);
        return start;
      }
    }
  }
}

/** A compiled agency pattern. */
export interface TitlePattern {
  readonly source: string;
  /** True when the pattern occurs anywhere in `text` (without regard to case). */
  test(text: string): boolean;
}

/** Compiles a pattern, or throws PatternError saying what is wrong with it. */
export function compileTitlePattern(source: string): TitlePattern {
  const ast = new Parser(source).parse();
  const compiler = new Compiler();
  const match = compiler.add({ kind: 'match' });
  const start = compiler.emit(ast, match);
  const states = compiler.states;
  return { source, test: (text) => run(states, start, text) };
}

function holds(what: Assertion, chars: string[], i: number): boolean {
  switch (what) {
    case 'start':
      return i === 0;
    case 'end':
      return i === chars.length;
    default: {
      const before = i > 0 && isWord(chars[i - 1] as string);
      const after = i < chars.length && isWord(chars[i] as string);
      return (before !== after) === (what === 'word-edge');
    }
  }
}

/** Runs every path at once: each position adds the start, then all live states take one step. */
function run(states: State[], start: number, text: string): boolean {
  const chars = Array.from(text);
  const seen = new Int32Array(states.length).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];

  // Follows forks and zero-width checks from `from` at position i; true when the end is reached.
  const close = (from: number, i: number, into: number[]): boolean => {
    stack.push(from);
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (seen[s] === i) continue;
      seen[s] = i;
      const state = states[s] as State;
      if (state.kind === 'match') {
        stack.length = 0;
        return true;
      }
      if (state.kind === 'split') stack.push(state.out2, state.out);
      else if (state.kind === 'assert') {
        if (holds(state.what, chars, i)) stack.push(state.out);
      } else into.push(s);
    }
    return false;
  };

  for (let i = 0; i <= chars.length; i++) {
    if (close(start, i, current)) return true;
    if (i === chars.length) break;
    const c = chars[i] as string;
    next = [];
    for (const s of current) {
      const state = states[s] as State & { kind: 'char' };
      if (state.test(c) && close(state.out, i + 1, next)) return true;
    }
    current = next;
  }
  return false;
}
