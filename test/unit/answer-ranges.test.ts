import { describe, expect, it } from 'vitest';
import { spreadRanges } from '../../src/permits/answer-ranges.ts';
import { TODAY } from '../support/applications.ts';

describe('spreadRanges', () => {
  it.each([
    [{ eventStartDate: 'June 5 to June 7' }, { eventStartDate: '2027-06-05', eventEndDate: '2027-06-07' }],
    [{ eventEndDate: 'June 5 to June 7' }, { eventStartDate: '2027-06-05', eventEndDate: '2027-06-07' }],
    [
      { eventStartDate: 'June 5 to June 7', eventEndDate: null },
      { eventStartDate: '2027-06-05', eventEndDate: '2027-06-07' },
    ],
    // The same range given for both days (a form filled from one answer) is still one range.
    [
      { eventStartDate: 'June 5 to June 7', eventEndDate: 'June 5 to June 7' },
      { eventStartDate: '2027-06-05', eventEndDate: '2027-06-07' },
    ],
    [
      { dailyCloseTime: '9 to 5', businessName: 'Taco Loco' },
      { dailyOpenTime: '09:00', dailyCloseTime: '17:00', businessName: 'Taco Loco' },
    ],
  ])('when the answers are %j, then the range fills its pair: %j', (answers, expected) => {
    expect(spreadRanges(answers, TODAY)).toEqual(expected);
  });

  it('when the answers are in Spanish, then the Spanish range is spread', () => {
    expect(spreadRanges({ eventEndDate: 'del 5 al 7 de junio' }, TODAY, 'es')).toEqual({
      eventStartDate: '2027-06-05',
      eventEndDate: '2027-06-07',
    });
    expect(spreadRanges({ dailyOpenTime: 'de 9 a 5' }, TODAY, 'es')).toEqual({
      dailyOpenTime: '09:00',
      dailyCloseTime: '17:00',
    });
  });

  it.each([
    // The other day answered differently: which one the caller meant is for the field's own check to ask.
    { eventStartDate: 'June 5 to June 7', eventEndDate: 'June 9' },
    { eventStartDate: 'June 5', eventEndDate: 'June 7' },
    { dailyOpenTime: '9am', dailyCloseTime: '5pm' },
    { eventStartDate: 20270605 },
    { businessName: 'Taco Loco' },
  ])('when the answers are %j, then they are returned as they are', (answers) => {
    expect(spreadRanges(answers, TODAY)).toBe(answers);
  });
});
