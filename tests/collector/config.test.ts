import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseSiteConfig } from '../../collector/index.ts';

const sample = (): string => {
  const readme = readFileSync(join(import.meta.dirname, '../../collector/README.md'), 'utf8');
  const m = /```yaml\n(# site\.yaml[\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('no site.yaml sample in collector/README.md');
  return m[1]!;
};

describe('site config', () => {
  it('accepts the sample in collector/README.md and fills defaults', () => {
    const site = parseSiteConfig(sample());
    expect(site.terminals.length).toBeGreaterThanOrEqual(3);
    const tcp = site.terminals.find((t) => t.transport.kind === 'modbus-tcp')!;
    expect(tcp.transport).toMatchObject({ port: 502 });
    const rtu = site.terminals.find((t) => t.transport.kind === 'modbus-rtu')!;
    expect(rtu.transport).toMatchObject({ baudRate: 9600, parity: 'even' });
    expect(site.spool.maxBytes).toBeGreaterThan(0);
  });

  it('names file, line and field of every problem', () => {
    const text = [
      'site: s1', //                             1
      'terminals:', //                           2
      '  - id: gw1', //                          3
      '    profile: sim-terminal-v2', //         4
      '    transport:', //                       5
      '      kind: modbus-tcp', //               6
      '      host: 10.0.0.1', //                 7
      '      port: 70000', //                    8
      '    meters:', //                          9
      '      - { unitId: 1, point: p1 }', //     10
      '      - { unitId: 1, point: p1 }', //     11
    ].join('\n');
    const err = (() => {
      try {
        parseSiteConfig(text, 'site.yaml');
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const byField = Object.fromEntries(err!.problems.map((p) => [p.field, p]));
    expect(byField['terminals[0].profile']).toMatchObject({ file: 'site.yaml', line: 4 });
    expect(byField['terminals[0].profile']!.message).toMatch(/unknown profile/);
    expect(byField['terminals[0].transport.port']).toMatchObject({ line: 8 });
    expect(err!.message).toContain('site.yaml:8: terminals[0].transport.port:');
  });

  it('reports cross-field problems and YAML syntax errors with their lines', () => {
    const dup = 'site: s\nterminals:\n  - id: a\n    profile: sim-terminal-v1\n    transport: { kind: modbus-tcp, host: h }\n    meters:\n      - { unitId: 1, point: p1 }\n      - { unitId: 1, point: p2 }\n';
    expect(() => parseSiteConfig(dup, 'x.yaml')).toThrow(/x\.yaml:8: terminals\[0\]\.meters\[1\]\.unitId: duplicate unit id 1/);
    expect(() => parseSiteConfig('site: [unclosed\nterminals: 3\n', 'y.yaml')).toThrow(/y\.yaml:\d+:/);
  });
});
