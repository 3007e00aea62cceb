import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { parseXml, readTwiml, TwimlError } from '../../src/sim/twiml-reader.ts';

describe('TwiML reader', () => {
  it('when the answer is built with the twilio library, then Say, the Connect action, the Stream url and its Parameters are read back', () => {
    const response = new twilio.twiml.VoiceResponse();
    response.say('Calls are transcribed & kept for "30" days <briefly>.');
    const connect = response.connect({ action: 'https://permits.example.org/twilio/voice/after?step=1&x=2' });
    const stream = connect.stream({
      url: 'wss://permits.example.org/twilio/media',
      statusCallback: 'https://permits.example.org/s',
    });
    stream.parameter({ name: 'token', value: '123.abc_-' });
    stream.parameter({ name: 'note', value: "it's <ok> & fine" });

    const answer = readTwiml(response.toString());

    expect(answer.verbs).toEqual(['Say', 'Connect']);
    expect(answer.say).toBe('Calls are transcribed & kept for "30" days <briefly>.');
    expect(answer.connect).toEqual({
      action: 'https://permits.example.org/twilio/voice/after?step=1&x=2',
      stream: {
        url: 'wss://permits.example.org/twilio/media',
        statusCallback: 'https://permits.example.org/s',
        parameters: { token: '123.abc_-', note: "it's <ok> & fine" },
      },
    });
  });

  it('when the answer hangs up or gathers, then there is no stream to connect, and the Gather prompt is still read', () => {
    expect(readTwiml('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>')).toEqual({
      verbs: ['Hangup'],
      say: undefined,
      connect: undefined,
    });

    const gather = readTwiml(`<?xml version="1.0"?>
      <!-- a menu -->
      <Response>
        <Gather input="dtmf speech" action="/menu"><Say voice='alice'>Press one&#33; Or &#x32;.</Say></Gather>
        <Say><![CDATA[Goodbye & thanks]]></Say>
      </Response>`);
    expect(gather).toEqual({ verbs: ['Gather', 'Say'], say: 'Press one! Or 2. Goodbye & thanks', connect: undefined });
  });

  it('when a Connect holds no Stream, then it is not taken for a media stream', () => {
    expect(readTwiml('<Response><Connect><Room>r</Room></Connect></Response>').connect).toBeUndefined();
  });

  it('when a Parameter is named __proto__, then it stays a plain parameter', () => {
    const answer = readTwiml(
      '<Response><Connect><Stream url="wss://x/m"><Parameter name="__proto__" value="v"/></Stream></Connect></Response>',
    );
    expect(Object.getPrototypeOf(answer.connect?.stream.parameters)).toBe(Object.prototype);
    expect(Object.entries(answer.connect?.stream.parameters ?? {})).toEqual([['__proto__', 'v']]);
  });

  it.each([
    ['mismatched tags', '<Response><Say>hi</Hangup></Response>'],
    ['an unclosed element', '<Response><Say>hi</Say>'],
    ['a DOCTYPE', '<!DOCTYPE r [<!ENTITY a "b">]><Response/>'],
    ['an unknown entity', '<Response><Say>&nbsp;</Say></Response>'],
    ['a bare ampersand', '<Response><Say>fish & chips</Say></Response>'],
    ['a duplicate attribute', '<Response><Connect action="a" action="b"/></Response>'],
    ['content after the root', '<Response/><Response/>'],
    ['an unquoted attribute', '<Response><Connect action=a/></Response>'],
    ['not XML at all', 'OK'],
    ['an empty body', ''],
  ])('when the XML has %s, then it is refused', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(TwimlError);
  });

  it('when the root is not Response, or a Stream has no url, then the TwiML is refused', () => {
    expect(() => readTwiml('<html><body>Error</body></html>')).toThrow(/not <Response>/);
    expect(() => readTwiml('<Response><Connect><Stream/></Connect></Response>')).toThrow(/no url/);
  });
});
