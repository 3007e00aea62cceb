import { describe, expect, it } from 'vitest';
import { childElements, parseXml, readTwiml } from '../../src/sim/twiml-reader.ts';
import { parseVisit, stepUrl, visit } from '../../src/ivr/ivr-steps.ts';
import { renderIvrReply } from '../../src/ivr/ivr-twiml.ts';

const BASE = new URL('https://permits.example.test');

describe('IVR step URLs', () => {
  it('when a visit is turned into its URL and back, then it is the same visit, and a first visit has no query string', () => {
    expect(stepUrl(visit('permit-type'), BASE)).toBe('https://permits.example.test/twilio/ivr/step/permit-type');
    const second = visit('business-name', { round: 2, attempt: 2 });
    const url = new URL(stepUrl(second, BASE));
    expect(url.search).toBe('?round=2&attempt=2');
    expect(parseVisit('business-name', Object.fromEntries(url.searchParams))).toEqual(second);
    expect(parseVisit('web-link', {})).toEqual(visit('web-link'));
  });

  it('when a step or its query is not one the IVR builds, then there is no visit', () => {
    expect(parseVisit('transfer-to-agent', {})).toBeUndefined();
    expect(parseVisit('address', { round: '3' })).toBeUndefined();
    expect(parseVisit('address', { attempt: ['1', '2'] })).toBeUndefined();
  });
});

describe('IVR TwiML', () => {
  it('when a question is asked, then its lines are inside a dtmf-and-speech Gather posting to the step, followed by a Redirect to the same step for no answer', () => {
    const twiml = renderIvrReply(
      {
        kind: 'ask',
        language: 'en',
        say: ["I heard: Rosa's <Tacos> & Co.", 'If that is right, press 1.'],
        visit: visit('business-name-check', { round: 2 }),
        answer: 'menu',
      },
      BASE,
    );
    const root = parseXml(twiml);
    const [gather, redirect, ...rest] = childElements(root);
    const action = 'https://permits.example.test/twilio/ivr/step/business-name-check?round=2';
    expect(rest).toEqual([]);
    expect(gather?.name).toBe('Gather');
    expect(Object.fromEntries(gather?.attributes ?? [])).toMatchObject({
      input: 'dtmf speech',
      action,
      method: 'POST',
      numDigits: '1',
    });
    expect(redirect?.name).toBe('Redirect');
    expect(redirect?.attributes.get('method')).toBe('POST');
    expect(redirect?.children).toEqual([action]);
    expect(readTwiml(twiml).say).toBe("I heard: Rosa's <Tacos> & Co. If that is right, press 1.");
  });

  it('when keys or speech are asked for, then keys end with # and speech at a pause, without a digit limit', () => {
    const keys = parseXml(
      renderIvrReply(
        { kind: 'ask', language: 'en', say: ['Enter the date.'], visit: visit('start-date'), answer: 'keys' },
        BASE,
      ),
    );
    expect(Object.fromEntries(childElements(keys)[0]?.attributes ?? [])).toMatchObject({
      finishOnKey: '#',
      timeout: '8',
    });
    const speech = parseXml(
      renderIvrReply(
        {
          kind: 'ask',
          language: 'en',
          say: ['Say the name.'],
          visit: visit('business-name'),
          answer: 'speech',
          hints: ['a', 'b'],
        },
        BASE,
      ),
    );
    const attributes = Object.fromEntries(childElements(speech)[0]?.attributes ?? []);
    expect(attributes).toMatchObject({ speechTimeout: 'auto', hints: 'a, b' });
    expect(attributes.numDigits).toBeUndefined();
  });

  it('when the IVR is done, then its lines are said and the call hangs up, with nothing to gather', () => {
    const twiml = renderIvrReply(
      { kind: 'hang-up', language: 'en', say: ['Your answers are saved.', 'Goodbye.'] },
      BASE,
    );
    expect(readTwiml(twiml)).toEqual({
      verbs: ['Say', 'Say', 'Hangup'],
      say: 'Your answers are saved. Goodbye.',
      connect: undefined,
    });
  });

  it('when the call is in Spanish, then every Say and the Gather use es-US, and a line of another language keeps its own tag', () => {
    const root = parseXml(
      renderIvrReply(
        {
          kind: 'ask',
          language: 'es',
          say: [{ text: 'For English, press 1.', language: 'en' }, 'Para español, oprima 2.'],
          visit: visit('language'),
          answer: 'menu',
        },
        BASE,
      ),
    );
    const [gather] = childElements(root);
    expect(gather?.attributes.get('language')).toBe('es-US');
    // The language offer waits less than a question: silence there is a choice (English).
    expect(gather?.attributes.get('timeout')).toBe('3');
    const says = childElements(gather ?? root, 'Say').map((say) => [say.attributes.get('language'), say.children]);
    expect(says).toEqual([
      ['en-US', ['For English, press 1.']],
      ['es-US', ['Para español, oprima 2.']],
    ]);
  });

  it('when the caller is put through, then the lines are said, the number is dialled with a ring limit, and the lines for nobody answering follow before the hang-up', () => {
    const twiml = renderIvrReply(
      {
        kind: 'dial',
        language: 'en',
        say: ['Putting you through.'],
        number: '+14255550100',
        afterwards: ['Nobody answered.'],
      },
      BASE,
    );
    expect(readTwiml(twiml).verbs).toEqual(['Say', 'Dial', 'Say', 'Hangup']);
    const dial = childElements(parseXml(twiml))[1];
    expect(dial?.attributes.get('timeout')).toBe('25');
    expect(dial?.children).toEqual(['+14255550100']);
  });
});
