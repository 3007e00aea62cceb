import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger, logFormatFor } from '../../src/ops/logger.ts';
import { CapturedLog } from '../support/service.ts';
import { waitUntil } from '../support/wait.ts';

describe('log redaction', () => {
  it('when personal data is logged at any of three levels deep, then only [redacted] is written', () => {
    const out = new CapturedLog();
    const logger = createLogger('info', out);
    logger.info(
      {
        applicantName: 'Rosa Delgado',
        fields: { contactPhone: '+12125550142', homeAddress: '12 Elm Court', entityType: 'llc' },
        twilio: { params: { From: '+12125550142', SpeechResult: 'my name is Rosa' } },
        req: { headers: { cookie: 'permitline.bid=abc', 'x-twilio-signature': 'sig' } },
        sms: { body: 'Ref FP-2026-7KQ3XM Taco Loco' },
      },
      'an event',
    );
    for (const secret of ['Rosa', '2125550142', 'Elm Court', 'permitline.bid', 'sig"', 'Taco Loco'])
      expect(out.text).not.toContain(secret);
    expect(out.text).toContain('[redacted]');
    expect(out.text).toContain('"entityType":"llc"');
  });

  it('when a child logger is bound to a request, then its id is on every line', () => {
    const out = new CapturedLog();
    const logger = createLogger('info', out).child({ requestId: 'req-1' });
    logger.info('one');
    logger.warn('two');
    const lines = out.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { requestId?: string });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.requestId === 'req-1')).toBe(true);
  });
});

describe('log format', () => {
  it('when LOG_FORMAT is unset, then a terminal gets pretty lines and anything else JSON', () => {
    expect(logFormatFor(undefined, true)).toBe('pretty');
    expect(logFormatFor(undefined, false)).toBe('json');
    expect(logFormatFor(undefined, undefined)).toBe('json');
  });

  it('when LOG_FORMAT is set, then it wins over what standard output is', () => {
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });

  it('when LOG_FORMAT is neither json nor pretty, then the configuration is refused', () => {
    const loaded = loadConfig({ LOG_FORMAT: 'yaml' });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.error.message).toContain('LOG_FORMAT');
  });

  it('when the format is pretty, then the lines are not JSON and personal data is still redacted', async () => {
    const out = new CapturedLog();
    const logger = createLogger('info', out, 'pretty');
    logger.info(
      { applicantName: 'Rosa Delgado', req: { headers: { cookie: 'permitline.bid=abc' } }, entityType: 'llc' },
      'an event',
    );
    await waitUntil(() => out.text.includes('an event'), 'the pretty line is written');
    expect(() => JSON.parse(out.text.trim()) as unknown).toThrow();
    expect(out.text).toContain('INFO');
    expect(out.text).toContain('llc');
    for (const secret of ['Rosa', 'Delgado', 'permitline.bid']) expect(out.text).not.toContain(secret);
    expect(out.text).toContain('[redacted]');
  });
});
