/**
 * Number words as callers say them, in English and Spanish, for the readers of spoken times and phone numbers.
 * Only the small numbers a clock or a keypad needs: a phone number is said digit by digit, a time by its hour
 * and its minutes.
 */

const ENGLISH: Readonly<Record<string, number>> = {
  zero: 0,
  oh: 0,
  o: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
};

const SPANISH: Readonly<Record<string, number>> = {
  cero: 0,
  un: 1,
  uno: 1,
  una: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  diez: 10,
  once: 11,
  doce: 12,
  trece: 13,
  catorce: 14,
  quince: 15,
  dieciseis: 16,
  diecisiete: 17,
  dieciocho: 18,
  diecinueve: 19,
  veinte: 20,
  treinta: 30,
  cuarenta: 40,
  cincuenta: 50,
};

export type NumberLanguage = 'en' | 'es';

/** The number a single word names ("nine", "nueve", "9"), or undefined. */
export function numberWord(word: string, language: NumberLanguage): number | undefined {
  if (/^\d{1,4}$/.test(word)) return Number(word);
  const table = language === 'es' ? SPANISH : ENGLISH;
  return Object.hasOwn(table, word) ? table[word] : undefined;
}

/** Lower case, accents off ("mañana" → "manana"), so one table serves however the words were typed. */
export function plainWords(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}
