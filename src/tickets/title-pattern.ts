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

import {
  type Assertion,
  type Ast,
  type CharTest,
  isWord,
  MAX_STATES,
  Parser,
  PatternError,
} from './title-pattern-parser.js';

export { PatternError };

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
