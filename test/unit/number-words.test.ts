import { describe, expect, it } from 'vitest';
import { numberWord, plainWords } from '../../src/permits/number-words.ts';

/** The number words the time and phone readers share: one word at a time, in the caller's language. */

describe('numberWord', () => {
  it.each([
    ['nine', 'en', 9],
    ['oh', 'en', 0],
    ['o', 'en', 0],
    ['fifty', 'en', 50],
    ['nueve', 'es', 9],
    ['una', 'es', 1],
    ['dieciseis', 'es', 16],
    ['7', 'en', 7],
    ['0930', 'es', 930],
    ['2027', 'en', 2027],
  ] as const)('when "%s" is said in %s, then it is %i', (word, language, value) => {
    expect(numberWord(word, language)).toBe(value);
  });

  it.each([
    // A word of the other language is not this language's number; the callers that accept both ask for both.
    ['nueve', 'en'],
    ['nine', 'es'],
    ['twenty-one', 'en'],
    // Digits with more than a clock or a keypad needs, or mixed with letters, are not one number word.
    ['12345', 'en'],
    ['9am', 'en'],
    ['a9', 'en'],
    ['9:30', 'en'],
    ['', 'en'],
    // Names every object has are not number words.
    ['constructor', 'en'],
    ['toString', 'es'],
  ] as const)('when "%s" is said in %s, then it is no number', (word, language) => {
    expect(numberWord(word, language)).toBeUndefined();
  });
});

describe('plainWords', () => {
  it.each([
    ['Mañana', 'manana'],
    ['DIECISÉIS', 'dieciseis'],
    ['Extensión Doce', 'extension doce'],
    ['Nine O’Clock', 'nine o’clock'],
  ])('when "%s" is written, then it is read as "%s"', (written, plain) => {
    expect(plainWords(written)).toBe(plain);
  });
});
