import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.ts';
import { CapturedLog } from '../support/service.ts';

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
