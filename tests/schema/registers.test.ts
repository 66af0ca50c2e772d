import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REGISTER_CODES, REGISTER_COLUMNS, formatRegisterValue, parseRegisterValue, registerIndex } from '../../schema/index.ts';

describe('register vocabulary', () => {
  it('has the 20 registers in sim-terminal-v1 order', () => {
    expect(REGISTER_CODES).toHaveLength(20);
    expect(REGISTER_CODES.slice(0, 6)).toEqual(['ap_imp.total', 'ap_imp.sharp', 'ap_imp.peak', 'ap_imp.flat', 'ap_imp.valley', 'ap_exp.total']);
    expect(REGISTER_COLUMNS[19]).toBe('rp_exp_valley');
    expect(registerIndex('rp_imp.peak')).toBe(12);
    expect(registerIndex('ap_imp.nope')).toBe(-1);
  });

  it('parses decimals exactly into hundredths, never through a float', () => {
    expect(parseRegisterValue('0.29')).toBe(29);
    expect(parseRegisterValue('1000000.00')).toBe(100_000_000);
    expect(parseRegisterValue('12.3')).toBe(1230);
    expect(parseRegisterValue('12.345')).toBeUndefined();
    expect(parseRegisterValue('-1')).toBeUndefined();
    expect(parseRegisterValue('1e3')).toBeUndefined();
  });

  it('round-trips every value through format and parse', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => parseRegisterValue(formatRegisterValue(n)) === n));
  });
});
