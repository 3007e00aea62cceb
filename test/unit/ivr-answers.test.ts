import { describe, expect, it } from 'vitest';
import { PERMIT_TYPES } from '../../src/permits/permit-types.ts';
import { chooseOption, classifyGather, dateFromKeys, yesNoOptions, type Heard } from '../../src/ivr/ivr-answers.ts';
import { loadIvrLines } from '../../src/ivr/ivr-lines.ts';

const { understood } = loadIvrLines();
const spoken = (text: string): Heard => ({ kind: 'speech', text });
const keys = (digits: string): Heard => ({ kind: 'keys', digits });
const permitTypes = PERMIT_TYPES.map((type, i) => ({
  value: type,
  key: String(i + 1),
  words: understood.permitTypes[type],
}));

describe('reading what a caller gave at a Gather', () => {
  it('when Twilio posts keys, speech, both or neither, then keys win, empty is nothing, and speech below the confidence threshold is unclear', () => {
    expect(classifyGather({ Digits: '1', SpeechResult: 'two', Confidence: '0.9' }, 0.5)).toEqual({
      kind: 'keys',
      digits: '1',
    });
    expect(classifyGather({}, 0.5)).toEqual({ kind: 'nothing' });
    expect(classifyGather({ Digits: '', SpeechResult: '  ' }, 0.5)).toEqual({ kind: 'nothing' });
    expect(classifyGather({ SpeechResult: 'Harbor  Grill ', Confidence: '0.5' }, 0.5)).toEqual({
      kind: 'speech',
      text: 'Harbor Grill',
    });
    expect(classifyGather({ SpeechResult: 'Harbor Grill', Confidence: '0.49' }, 0.5)).toEqual({ kind: 'unclear' });
    expect(classifyGather({ SpeechResult: 'Harbor Grill', Confidence: 'high' }, 0.5)).toEqual({ kind: 'unclear' });
    expect(classifyGather({ SpeechResult: 'Harbor Grill' }, 0.5)).toEqual({ kind: 'speech', text: 'Harbor Grill' });
    expect(classifyGather({ Digits: '1a' }, 0.5)).toEqual({ kind: 'unclear' });
  });

  it('when a yes/no is pressed or said, then 1 or a yes-word is yes, 2 or a no-word is no, and an answer that is both is neither', () => {
    const yesNo = yesNoOptions(understood);
    expect(chooseOption(keys('1'), yesNo, understood)).toBe(true);
    expect(chooseOption(keys('2'), yesNo, understood)).toBe(false);
    expect(chooseOption(keys('3'), yesNo, understood)).toBeUndefined();
    expect(chooseOption(spoken("Yes, that's right."), yesNo, understood)).toBe(true);
    expect(chooseOption(spoken('One.'), yesNo, understood)).toBe(true);
    expect(chooseOption(spoken('2'), yesNo, understood)).toBe(false);
    expect(chooseOption(spoken('Nope'), yesNo, understood)).toBe(false);
    expect(chooseOption(spoken("that's not right"), yesNo, understood)).toBeUndefined();
    expect(chooseOption(spoken('banana'), yesNo, understood)).toBeUndefined();
    expect(chooseOption({ kind: 'unclear' }, yesNo, understood)).toBeUndefined();
    // "know" is not "no", "yesterday" is not "yes": whole words only.
    expect(chooseOption(spoken("I don't know"), yesNo, understood)).toBeUndefined();
    expect(chooseOption(spoken('yesterday'), yesNo, understood)).toBeUndefined();
  });

  it('when a permit type is pressed or said, then its key, its number or its words choose it', () => {
    expect(chooseOption(keys('4'), permitTypes, understood)).toBe('food_establishment');
    expect(chooseOption(keys('5'), permitTypes, understood)).toBeUndefined();
    expect(chooseOption(spoken('A mobile food unit.'), permitTypes, understood)).toBe('mobile_food_unit');
    expect(chooseOption(spoken('food truck'), permitTypes, understood)).toBe('mobile_food_unit');
    expect(chooseOption(spoken('three'), permitTypes, understood)).toBe('cottage_food_operation');
    expect(chooseOption(spoken('Temporary food event'), permitTypes, understood)).toBe('temporary_food_event');
    expect(chooseOption(spoken('food'), permitTypes, understood)).toBeUndefined();
    expect(chooseOption(spoken('a truck at a restaurant'), permitTypes, understood)).toBeUndefined();
  });

  it('when a date is keyed, then four keys are month and day, eight add the year, and anything else is no date', () => {
    expect(dateFromKeys('0305')).toBe('03/05');
    expect(dateFromKeys('03052027')).toBe('03/05/2027');
    expect(dateFromKeys('305')).toBeUndefined();
    expect(dateFromKeys('030527')).toBeUndefined();
    expect(dateFromKeys('03*5')).toBeUndefined();
  });
});
