import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  crc16,
  crcValid,
  FrameError,
  ModbusExceptionError,
  parseResponsePdu,
  readRequestPdu,
  rtuFrame,
  RtuResponseAssembler,
  TcpAduSplitter,
  tcpFrame,
  withCrc,
  writeMultiplePdu,
} from '../../collector/index.ts';

const ctx = { terminal: 't1', unitId: 1, fn: 3, address: 0, count: 2 };

describe('Modbus framing', () => {
  it('computes CRC-16/MODBUS as the spec example and the standard check value', () => {
    // Modbus over serial line spec, read request 01 03 00 00 00 0A → CRC C5 CD (low byte first).
    expect(withCrc(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a])).toString('hex')).toBe('01030000000ac5cd');
    // CRC-16/MODBUS check value over "123456789" is 0x4B37.
    expect(crc16(Buffer.from('123456789'))).toBe(0x4b37);
    expect(rtuFrame(0x11, readRequestPdu(3, 0x006b, 3)).toString('hex')).toBe('1103006b00037687');
  });

  it('validates CRC and detects any single-bit corruption', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.nat(), (body, bit) => {
        const frame = withCrc(body);
        expect(crcValid(frame)).toBe(true);
        const i = bit % (frame.length * 8);
        frame[i >> 3]! ^= 1 << (i & 7);
        expect(crcValid(frame)).toBe(false);
      }),
    );
  });

  it('parses read answers and turns exception responses into typed errors naming the request', () => {
    expect([...parseResponsePdu(ctx, Buffer.from('0304000a0102', 'hex'))]).toEqual([10, 258]);
    const err = (() => {
      try {
        parseResponsePdu(ctx, Buffer.from('8302', 'hex'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).exceptionCode).toBe(2);
    expect((err as Error).message).toContain('terminal t1 unit 1 register 0');
    expect((err as Error).message).toContain('illegal data address');
    expect(() => parseResponsePdu(ctx, Buffer.from('030200', 'hex'))).toThrow(FrameError);
    expect(() => parseResponsePdu(ctx, Buffer.from('0404000a0102', 'hex'))).toThrow(/function 4 answers/);
  });

  it('builds write-multiple requests per the spec', () => {
    // Spec example: write 2 registers at 0x0001 with 0x000A 0x0102.
    expect(writeMultiplePdu(1, [0x000a, 0x0102]).toString('hex')).toBe('100001000204000a0102');
    const wctx = { ...ctx, fn: 16, address: 1, count: 2 };
    expect(parseResponsePdu(wctx, Buffer.from('1000010002', 'hex')).length).toBe(0);
    expect(() => parseResponsePdu(wctx, Buffer.from('1000010003', 'hex'))).toThrow(/write echo/);
  });

  it('assembles RTU answers chunk by chunk and rejects bad ones', () => {
    const good = withCrc(Buffer.from('010304000a0102', 'hex'));
    const a = new RtuResponseAssembler(ctx);
    for (let i = 0; i < good.length - 1; i++) expect(a.push(good.subarray(i, i + 1)).done).toBe(false);
    const done = a.push(good.subarray(good.length - 1));
    expect(done).toEqual({ done: true, registers: new Uint16Array([10, 258]) });

    const bad = Buffer.from(good);
    bad[4]! ^= 0xff;
    const r1 = new RtuResponseAssembler(ctx).push(bad);
    expect(r1.done && 'error' in r1 && (r1.error as FrameError).fault).toBe('crc');

    const other = withCrc(Buffer.from('020304000a0102', 'hex'));
    const r2 = new RtuResponseAssembler(ctx).push(other);
    expect(r2.done && 'error' in r2 && (r2.error as FrameError).fault).toBe('mismatch');

    const exc = withCrc(Buffer.from('018302', 'hex'));
    const r3 = new RtuResponseAssembler(ctx).push(exc);
    expect(r3.done && 'error' in r3 && r3.error).toBeInstanceOf(ModbusExceptionError);

    const short = new RtuResponseAssembler(ctx);
    short.push(good.subarray(0, 4));
    expect(short.incomplete()?.fault).toBe('short');

    const garbled = new RtuResponseAssembler(ctx).push(Buffer.from('0177', 'hex'));
    expect(garbled.done && 'error' in garbled && (garbled.error as FrameError).fault).toBe('garbled');
  });

  it('splits a TCP stream into ADUs at any chunking and detects a stream out of step', () => {
    const adus = [tcpFrame(1, 1, Buffer.from('0304000a0102', 'hex')), tcpFrame(2, 7, Buffer.from('8302', 'hex'))];
    const all = Buffer.concat(adus);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: all.length }), { maxLength: 6 }), (cuts) => {
        const s = new TcpAduSplitter();
        const points = [...new Set(cuts)].sort((x, y) => x - y);
        const got = [];
        let from = 0;
        for (const p of [...points, all.length]) {
          got.push(...s.push(all.subarray(from, p)));
          from = p;
        }
        expect(got.map((g) => [g.transactionId, g.unitId, g.pdu.toString('hex')])).toEqual([
          [1, 1, '0304000a0102'],
          [2, 7, '8302'],
        ]);
      }),
    );
    expect(() => new TcpAduSplitter().push(Buffer.from('00010005000601', 'hex'))).toThrow(/out of step/);
  });
});
