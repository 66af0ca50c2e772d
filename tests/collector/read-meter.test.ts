import { describe, expect, it } from 'vitest';
import {
  ModbusExceptionError,
  ModbusTransaction,
  encodeWords,
  readMeter,
  simTerminalV1,
  type RequestContext,
} from '../../collector/index.ts';

/** An in-memory transport whose device refuses reads that touch a hole in its map. */
class HoleyDevice extends ModbusTransaction {
  readonly seen: string[] = [];
  constructor(private readonly image: Map<number, number>) {
    super('holey');
  }
  protected async exchange(ctx: RequestContext): Promise<Uint16Array> {
    this.seen.push(`${ctx.address}+${ctx.count}`);
    const out = new Uint16Array(ctx.count);
    for (let i = 0; i < ctx.count; i++) {
      const w = this.image.get(ctx.address + i);
      if (w === undefined) throw new ModbusExceptionError(ctx, 2);
      out[i] = w;
    }
    return out;
  }
  async close(): Promise<void> {}
}

describe('readMeter', () => {
  it('falls back to the wanted ranges when a merged read hits a hole', async () => {
    const image = new Map<number, number>();
    for (let i = 0; i < 20; i++) encodeWords(1000 + i, 'uint32').forEach((w, k) => image.set(i * 2 + k, w));
    for (let a = 64; a < 79; a++) image.set(a, 0);
    encodeWords(1_735_689_600, 'uint32').forEach((w, k) => image.set(96 + k, w));
    const dev = new HoleyDevice(image);
    const r = await readMeter(dev, simTerminalV1, 1);
    expect(r.values).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
    expect(r.clock?.getTime()).toBe(1_735_689_600_000);
    expect(dev.seen).toEqual(['0+98', '0+40', '64+15', '96+2']);
    expect(dev.stats).toMatchObject({ requests: 4, ok: 3, exceptions: 1 });
  });

  it('passes an exception on a read without unwanted registers through', async () => {
    const dev = new HoleyDevice(new Map());
    await expect(readMeter(dev, simTerminalV1, 1, { maxGap: 0 })).rejects.toBeInstanceOf(ModbusExceptionError);
  });
});
