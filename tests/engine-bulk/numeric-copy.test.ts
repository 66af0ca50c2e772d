/**
 * The engine's binary COPY encoder against PostgreSQL itself: numerics of display scale 4 written
 * as binary tuples read back as the exact decimals, at the edges of the format — zero, a fraction
 * alone, whole numbers, negatives, the last safe integer and values far beyond 2^53 (an
 * implausible reading times a 220 kV multiplier) — and interval rows whose multiplier is that large.
 */
import { describe, expect, it } from 'vitest';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyBinary, INTERVAL_COPY_COLUMNS, textField, timestampField } from '../../calc-engine/store/bulk-copy.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';

/** The decimal PostgreSQL prints for `scaled` / 10 000 at scale 4, computed apart from the encoder. */
function decimal(scaled: bigint): string {
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  return `${neg ? '-' : ''}${abs / 10_000n}.${String(abs % 10_000n).padStart(4, '0')}`;
}

const VALUES: (number | bigint)[] = [0, 5, 10_000, 1_234_500, -1_234_500, 123_456_789, 100_000_000, 2 ** 53 - 1, -(2 ** 53 - 1),
  2n ** 53n + 1n, 10n ** 30n + 7n, -(10n ** 24n) - 10_000n, 4_294_967_295n * 880_000n * 100n];

describe.each(dbTargets())('binary numerics on $name PostgreSQL', (target) => {
  it('read back exactly as the decimals they encode', async () => {
    const h = await freshDatabase(target);
    const client = await h.pool.connect();
    try {
      await client.query('CREATE TEMP TABLE n (k text, v numeric)');
      const out = new CopyBinary();
      out.header();
      VALUES.forEach((v, i) => {
        out.tuple(2);
        out.bytes(textField(String(i).padStart(2, '0')));
        out.numeric4(v);
      });
      out.trailer();
      await pipeline(Readable.from([out.take()]), client.query(copyFrom('COPY n FROM STDIN (FORMAT binary)')));
      const rows = (await client.query('SELECT v::text AS v FROM n ORDER BY k')).rows.map((r) => r.v as string);
      expect(rows).toEqual(VALUES.map((v) => decimal(BigInt(v))));
    } finally {
      client.release();
      await h.close();
    }
  });

  it('writes interval rows exactly when delta × M passes 2^53', async () => {
    const h = await freshDatabase(target);
    const client = await h.pool.connect();
    try {
      await client.query('CREATE TEMP TABLE ie (LIKE interval_energy INCLUDING DEFAULTS)');
      const deltas = new Uint32Array(20).map((_, r) => (r === 0 ? 4_294_967_295 : r * 1_000));
      const m = 880_000; // CT 2000/5 × PT 220 kV/100 V
      const out = new CopyBinary();
      out.header();
      out.intervalRow(textField('HV1'), timestampField(Date.parse('2026-10-05T10:00:00Z')), timestampField(Date.parse('2026-10-05T10:15:00Z')), deltas, 0, m);
      out.trailer();
      await pipeline(Readable.from([out.take()]), client.query(copyFrom(`COPY ie (${INTERVAL_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`)));
      const row = (await client.query('SELECT point_id, ts, ap_imp_total::text AS a, ap_imp_sharp::text AS b, quality, method, source_from, source_to FROM ie')).rows[0];
      // 4 294 967 295 steps × 880 000 = 3 779 571 219 600 000 hundredths = 37 795 712 196 000 kWh
      expect(row).toMatchObject({ point_id: 'HV1', a: '37795712196000.0000', b: '8800000.0000', quality: 'actual', method: null });
      expect(row.ts.toISOString()).toBe('2026-10-05T10:15:00.000Z');
      expect(row.source_from.toISOString()).toBe('2026-10-05T10:00:00.000Z');
    } finally {
      client.release();
      await h.close();
    }
  });

  it('refuses an unsafe number rather than rounding it', () => {
    expect(() => new CopyBinary().numeric4(2 ** 53 + 2)).toThrow(/pass it as a bigint/);
  });
});
