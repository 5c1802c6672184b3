// Field values from text: numbers in decimal only, comma lists, axes (START:STOP:COUNT), with the field's range in every message.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseAxis, parseNumberText, type FieldSpec } from '../../src/config/schema.js';

const p: FieldSpec = { key: 'featureProbability', flag: 'p', kind: 'axis', min: 0, minExclusive: true, max: 1, help: '' };
const n: FieldSpec = { key: 'nFeatures', flag: 'n', kind: 'axis', integer: true, min: 1, max: 65536, help: '' };

describe('parseAxis', () => {
  it('START:STOP:COUNT is an inclusive linspace rounded to 12 digits; comma lists keep order', () => {
    expect(parseAxis(p, '0.1:0.5:5')).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(parseAxis(p, '0.002001:0.8:20')).toHaveLength(20);
    expect(parseAxis(n, '1024,512')).toEqual([1024, 512]);
    expect(parseAxis({ ...p, minExclusive: false }, '0.3:0.3:1')).toEqual([0.3]);
  });

  it('rejects bad counts, values out of range and non-numbers with the offending value', () => {
    expect(() => parseAxis(p, '0.1:0.5:0')).toThrow(/COUNT = 0 is not an integer in \[1, 10000\]/);
    expect(() => parseAxis(p, '0.1:0.5')).toThrow(ConfigError);
    expect(() => parseAxis(p, '0,0.5')).toThrow(/featureProbability \(--p\) = "0,0.5": 0 is not a number in \(0, 1\]/);
    expect(() => parseAxis(p, '1.5')).toThrow(/featureProbability \(--p\) = 1.5 is not a number in \(0, 1\]/);
    expect(() => parseAxis(p, '0.1,abc')).toThrow(/"abc" is not a number/);
    expect(() => parseAxis(n, '100.5')).toThrow(/not an integer/);
    expect(() => parseAxis(p, '0x1')).toThrow(/"0x1" is not a number/);
  });
});

describe('parseNumberText', () => {
  it('takes decimal notation only; nan and infinities come back for the range check to name', () => {
    expect(parseNumberText(' 1.5e-3 ')).toBe(1.5e-3);
    expect(parseNumberText('-.5')).toBe(-0.5);
    for (const text of ['0x10', '1_000', '', '1e', '0b1', '1,5']) expect(parseNumberText(text)).toBeUndefined();
    expect(parseNumberText('NaN')).toBeNaN();
    expect(parseNumberText('-inf')).toBe(-Infinity);
  });
});
