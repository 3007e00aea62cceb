/**
 * A web address as a voice says it: no "https://", and the dots and slashes as words, so text-to-speech does not
 * spell out the scheme or run the parts together: "permits.example.gov/apply" → "permits dot example dot gov
 * slash apply".
 */
export function spokenWebAddress(url: URL): string {
  const path = url.pathname.replace(/\/$/, '');
  return `${url.host}${path}`
    .split('')
    .map((character) => SPOKEN_PUNCTUATION.get(character) ?? character)
    .join('')
    .trim();
}

const SPOKEN_PUNCTUATION = new Map([
  ['.', ' dot '],
  ['/', ' slash '],
  [':', ' colon '],
  ['-', ' dash '],
]);
