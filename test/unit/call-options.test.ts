import { describe, expect, it } from 'vitest';
import { CALL_USAGE, DEMO_USAGE, FAST_FACTOR, parseCallOptions, parseDemoOptions } from '../../src/cli/call-options.ts';

const call = (argv: readonly string[], env: Record<string, string> = {}) => parseCallOptions(argv, env);
const optionsOf = <T>(parsed: { kind: string; options?: T }): T | undefined =>
  parsed.kind === 'run' ? parsed.options : undefined;

describe('npm run call options', () => {
  it('when only a scenario is given, then the call runs 4× faster than real time, against the local service', () => {
    expect(FAST_FACTOR).toBe(4);
    expect(optionsOf(call(['happy-path']))).toMatchObject({
      scenario: 'happy-path',
      realTimeFactor: FAST_FACTOR,
      serviceUrl: 'http://127.0.0.1:3000',
      publicBaseUrl: 'http://localhost:3000',
    });
  });

  it('when --real-time is given, then the call runs at phone speed; --fast is still accepted and changes nothing', () => {
    expect(optionsOf(call(['happy-path', '--real-time']))?.realTimeFactor).toBe(1);
    expect(optionsOf(call(['happy-path', '--fast']))?.realTimeFactor).toBe(FAST_FACTOR);
    const both = call(['happy-path', '--fast', '--real-time']);
    expect(both.kind === 'problem' && both.message).toMatch(/--fast and --real-time/);
  });

  it('when --off-script-after is not given, then the caller gives an agent off its script 3 s; 0 never hangs up; nonsense is refused', () => {
    expect(optionsOf(call(['barge-in']))?.offScriptLimitMs).toBe(3_000);
    expect(optionsOf(call(['barge-in', '--off-script-after', '1.5']))?.offScriptLimitMs).toBe(1_500);
    expect(optionsOf(call(['barge-in', '--off-script-after', '0']))?.offScriptLimitMs).toBeUndefined();
    for (const bad of ['-1', 'soon', ''])
      expect(call(['barge-in', '--off-script-after', bad]).kind, `--off-script-after ${bad}`).toBe('problem');
  });

  it('when --help is asked for, then the usage names the default speed, --real-time, the scenario setting of the service and the exit codes', () => {
    const help = call(['--help']);
    expect(help.kind === 'help' && help.text).toBe(CALL_USAGE);
    expect(CALL_USAGE).toMatch(/--real-time/);
    expect(CALL_USAGE).toMatch(/default: 4× faster/);
    expect(CALL_USAGE).toMatch(/SIMULATOR_SCENARIO/);
    expect(CALL_USAGE).toMatch(/--off-script-after/);
    expect(CALL_USAGE).toMatch(/2 when the scenario did not run/);
  });

  it('when the public base URL comes from the environment or a flag, or the scenario is missing, then that is what is used or said', () => {
    expect(optionsOf(call(['happy-path'], { PUBLIC_BASE_URL: 'https://permits.example.test' }))?.publicBaseUrl).toBe(
      'https://permits.example.test',
    );
    expect(optionsOf(call(['happy-path', '--url', 'http://127.0.0.1:4000']))?.publicBaseUrl).toBe(
      'http://localhost:4000',
    );
    expect(call([]).kind).toBe('problem');
    expect(call(['happy-path', '--hang-up-after', 'x']).kind).toBe('problem');
  });
});

describe('npm run demo options', () => {
  it('when nothing is given, then the demo plays happy-path 4× faster than real time on one service', () => {
    expect(optionsOf(parseDemoOptions([]))).toEqual({
      scenario: 'happy-path',
      realTimeFactor: FAST_FACTOR,
      cluster: false,
    });
  });

  it('when --real-time is given, then it runs at phone speed; --fast is accepted and changes nothing', () => {
    expect(optionsOf(parseDemoOptions(['--real-time', '--scenario', 'barge-in']))).toMatchObject({
      scenario: 'barge-in',
      realTimeFactor: 1,
    });
    expect(optionsOf(parseDemoOptions(['--fast']))?.realTimeFactor).toBe(FAST_FACTOR);
    expect(parseDemoOptions(['--speedy']).kind).toBe('problem');
    const help = parseDemoOptions(['--help']);
    expect(help.kind === 'help' && help.text).toBe(DEMO_USAGE);
    expect(DEMO_USAGE).toMatch(/--real-time/);
  });
});
