import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../src/audit/csv.js';

describe('csvCell', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\tx"`],
    ['\rx', `"'\rx"`],
    ['plain', '"plain"'],
    ['a "b" c', '"a ""b"" c"'],
    ['line\nbreak', '"line\nbreak"'],
    [null, '""'],
    [42, '"42"'],
  ])('%j → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('joins a row with commas and ends it with CRLF', () => {
    expect(csvRow(['a', null, '=b'])).toBe(`"a","","'=b"\r\n`);
  });
});
