import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/bench-options.ts';

describe('npm run bench options', () => {
  it('when nothing is given, then it is the issue’s load: both targets, two pairs, 200 calls × 20 s', () => {
    const parsed = parseBenchOptions([]);
    expect(parsed.ok && parsed.options).toMatchObject({ target: 'both', pairs: 2, calls: 200, seconds: 20 });
  });

  it('when --before names a checkout, then its settings are read as NAME=VALUE', () => {
    const parsed = parseBenchOptions(['--before', '/tmp/old', '--before-env', 'WS_NO_BUFFER_UTIL=1']);
    expect(parsed.ok && parsed.options.before).toBe('/tmp/old');
    expect(parsed.ok && parsed.options.beforeEnv).toEqual({ WS_NO_BUFFER_UTIL: '1' });
  });

  it('when --before-env is malformed or alone, or --before is mixed with --floor, then it says what is wrong', () => {
    const bad = parseBenchOptions(['--before-env', 'lower=1']);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problem).toMatch(/NAME=VALUE/);
    expect(!bad.ok && bad.problem).toMatch(/needs --before DIR/);
    const mixed = parseBenchOptions(['--before', '/tmp/old', '--floor']);
    expect(!mixed.ok && mixed.problem).toMatch(/cannot be combined with --floor/);
  });

  it('when --floor is asked for one target only, then it is refused', () => {
    const parsed = parseBenchOptions(['--floor', '--target', 'service']);
    expect(!parsed.ok && parsed.problem).toMatch(/--floor .* needs --target both/);
  });
});
