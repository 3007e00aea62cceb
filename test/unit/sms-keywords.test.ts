import { describe, expect, it } from 'vitest';
import { smsKeyword } from '../../src/sms/sms-keywords.ts';

describe('inbound SMS keywords', () => {
  it.each([
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['  Stop. ', 'stop'],
    ['UNSUBSCRIBE', 'stop'],
    ['cancel', 'stop'],
    ['End', 'stop'],
    ['QUIT!', 'stop'],
    ['stopall', 'stop'],
    ['START', 'start'],
    ['yes', 'start'],
    ['Unstop', 'start'],
    ['HELP', 'help'],
    ['info', 'help'],
    ['STATUS', 'status'],
    ['status?', 'other'],
  ] as const)('when the text is "%s", then it means %s', (body, expected) => {
    expect(smsKeyword(body)).toBe(expected);
  });

  it('when the keyword is part of a sentence, then it is not a keyword (carriers match the word alone)', () => {
    expect(smsKeyword('please stop texting me')).toBe('other');
    expect(smsKeyword('Yes I submitted it')).toBe('other');
    expect(smsKeyword('')).toBe('other');
  });
});
