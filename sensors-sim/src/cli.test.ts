import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, parseDuration, parseTime } from './cli.js';

afterEach(() => vi.restoreAllMocks());

function capture() {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  return { out: () => out, err: () => err };
}

describe('sensors-sim CLI', () => {
  it.each([
    [['--help'], 'Commands:'],
    [['help', 'run'], '--manifest FILE'],
    [['run', '--help'], '--backfill'],
    [['stations', '--help'], '--json'],
    [['scenarios', '--help'], 'scenario files'],
  ])('%j prints help', async (argv, text) => {
    const c = capture();
    expect(await main(argv)).toBe(0);
    expect(c.out()).toContain(text);
  });

  it.each([
    [['bogus'], 2],
    [['run', '--scenario', 'hostile'], 3],
    [['run', '--scenario', 'nope'], 3],
    [['run', '--stations', '0'], 2],
    [['run', '--backfill', '--scenario', 'normal'], 2],
    [['run', '--no-such-flag'], 2],
    [['run', '--publish', 'hj212'], 2],
  ])('%j exits with %i and a message', async (argv, code) => {
    const c = capture();
    expect(await main(argv)).toBe(code);
    expect(c.err().length).toBeGreaterThan(0);
  });

  it('lists stations as a table and as JSON', async () => {
    let c = capture();
    expect(await main(['stations', '--stations', '80'])).toBe(0);
    expect(c.out()).toContain('hankou');
    expect(c.out()).toContain('syn-00001');
    vi.restoreAllMocks();
    c = capture();
    expect(await main(['stations', '--json', '--kind', 'reservoir'])).toBe(0);
    expect((JSON.parse(c.out()) as { id: string }[]).map((s) => s.id).sort()).toEqual(['danjiangkou', 'three-gorges']);
  });

  it('lists the scenarios', async () => {
    const c = capture();
    expect(await main(['scenarios'])).toBe(0);
    for (const n of ['normal', 'flood', 'spill', 'air-episode', 'drought', 'faults', 'gateway-outage', 'hostile']) expect(c.out()).toContain(n);
  });

  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1.5d', 129_600_000],
    ['250ms', 250],
  ])('parses duration %s', (s, ms) => expect(parseDuration(s)).toBe(ms));

  it.each(['', '2 hours', '-1h', 'h'])('rejects duration %j', (s) => expect(() => parseDuration(s)).toThrow(expect.objectContaining({ code: 'SIM_USAGE' })));

  it.each([
    ['now', 1_000_000_000_000],
    ['-6h', 1_000_000_000_000 - 21_600_000],
    ['2020-07-12T23:00:00+08:00', Date.UTC(2020, 6, 12, 15)],
  ])('parses time %s', (s, t) => expect(parseTime(s, 1_000_000_000_000)).toBe(t));
});
