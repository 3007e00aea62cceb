import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { startWebService, type WebService } from '../support/web-service.ts';

/**
 * A webhook refused for its signature, over real HTTP: the warning names the URL the signature was checked over
 * and PUBLIC_BASE_URL, the usual cause, so an operator whose tunnel address differs sees it at once; the token,
 * the signature and personal query values stay out of the log.
 */

const PUBLIC_BASE_URL = 'https://permits.example.test';
// Where Twilio was pointed: another address than PUBLIC_BASE_URL, as after a tunnel's address changed.
const CALLED_BASE_URL = 'https://tunnel-0142.example.test';
const AUTH_TOKEN = 'signature-hint-token';
const PATH = '/twilio/sms?caller=3125550142';
const PARAMS = { From: '+13125550142', Body: 'STATUS', MessageSid: `SM${'7'.repeat(32)}` };

let service: WebService;
beforeAll(async () => {
  service = await startWebService({ PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN });
});
afterAll(async () => {
  await service.close();
});

describe('a webhook refused for its signature', () => {
  it('when Twilio signed another address than PUBLIC_BASE_URL, then the warning names the URL checked and PUBLIC_BASE_URL, and no secret', async () => {
    const refused = await postTwilioWebhook(
      { serviceUrl: service.url, publicBaseUrl: CALLED_BASE_URL, authToken: AUTH_TOKEN },
      PATH,
      PARAMS,
    );
    expect(refused.status).toBe(403);

    const line = service.log.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string; checkedUrl?: string })
      .find((l) => l.msg.startsWith('webhook refused'));
    expect(line?.level).toBe(40);
    expect(line?.checkedUrl).toBe(`${PUBLIC_BASE_URL}/twilio/sms?caller=[redacted]`);
    expect(line?.msg).toContain('PUBLIC_BASE_URL');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, CALLED_BASE_URL + PATH, PARAMS);
    for (const secret of [AUTH_TOKEN, signature, '3125550142', '5550142'])
      expect(service.log.text).not.toContain(secret);
  });
});
