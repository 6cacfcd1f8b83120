import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvText, neutraliseFormula } from '../../src/kit/csv.js';

describe('csvText', () => {
  it('neutralises every cell a spreadsheet would run as a formula, and nothing else', () => {
    const risky = ['=HYPERLINK("https://evil.example","click")', '+1', '-2', '@SUM(A1)', '\t=1', '\r=1'];
    for (const cell of risky) expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['Dana', '', '1+1', 'a=b', ' x', 'דנה']) expect(neutraliseFormula(cell)).toBe(cell);
  });

  it('writes RFC 4180 with CRLF, quoting what needs it, and reads back cell for cell', () => {
    const rows = [
      ['name', 'note'],
      ['Cohen, Dana', 'said "yes"\nthen left'],
      ['=1+2', '-3'],
    ];
    const text = csvText(rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[0]).toBe('name,note');
    expect(parse(text, { relax_column_count: false })).toEqual([rows[0], rows[1], ["'=1+2", "'-3"]]);
  });
});
