/** Initial readings as written in scenarios, resolved to 20 integers whose tiers sum to each total. */
import { DIRECTIONS, REGISTER_COUNT, TIERS, parseRegisterValue, registerIndex } from '../../schema/registers.ts';

/** An initial reading as written: kWh of ap_imp.total, or registers by name. */
export type InitialSpec = number | string | Record<string, number | string>;

/** Split a total over sharp, peak, flat, valley (10/30/35/25 %) exactly. */
function split(total: number): number[] {
  const sharp = Math.floor(total / 10);
  const peak = Math.floor((total * 3) / 10);
  const flat = Math.floor((total * 35) / 100);
  return [sharp, peak, flat, total - sharp - peak - flat];
}

/**
 * Resolve to 20 integers in 0.01 units, or an error text. Per direction: a total alone is split
 * over the tiers; tiers alone make the total; a total with all four tiers must equal their sum.
 */
export function resolveInitial(spec: InitialSpec | undefined): number[] | string {
  const out = new Array<number>(REGISTER_COUNT).fill(0);
  if (spec === undefined) return out;
  const rec: Record<string, number | string> = typeof spec === 'object' ? spec : { 'ap_imp.total': spec };
  for (const dir of DIRECTIONS) {
    const v = (tier: string) => {
      const raw = rec[`${dir}.${tier}`];
      return raw === undefined ? undefined : parseRegisterValue(String(raw));
    };
    const total = v('total');
    const tiers = TIERS.slice(1).map(v);
    const given = tiers.filter((t) => t !== undefined).length;
    let values: number[];
    if (given === 0) values = [total ?? 0, ...split(total ?? 0)];
    else if (total === undefined) values = [tiers.reduce<number>((a, t) => a + (t ?? 0), 0), ...tiers.map((t) => t ?? 0)];
    else if (given === 4) {
      const sum = tiers.reduce<number>((a, t) => a + t!, 0);
      if (sum !== total) return `${dir}: tiers sum to ${sum / 100}, total is ${total / 100}`;
      values = [total, ...(tiers as number[])];
    } else return `${dir}: give the total alone, the tiers alone, or the total with all four tiers`;
    values.forEach((x, t) => (out[registerIndex(`${dir}.${TIERS[t]}`)] = x));
  }
  return out;
}
