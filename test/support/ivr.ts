import type { IvrCatalogue } from '../../src/ivr/ivr-lines.ts';
import type { IvrCallerInput } from '../../src/sim/ivr-caller.ts';

/** At the welcome's offer of Spanish, the caller presses nothing: the call goes on in English. */
export const IN_ENGLISH: IvrCallerInput = { silence: true };

/** What every call hears first: the offer in English, then in Spanish ("Para español, oprima 2."). */
export function languageOffer(catalogue: IvrCatalogue): string[] {
  return [catalogue.en.line('languageOffer'), catalogue.es.line('languageOffer')];
}

/** Up to the web link offer of a cottage food operation: English, type, callback yes, name (confirmed), home address (confirmed). */
export const TO_THE_WEB_LINK_OFFER: readonly IvrCallerInput[] = [
  IN_ENGLISH,
  { press: '3' },
  { press: '1' },
  { say: 'Hilltop Jams', confidence: 0.9 },
  { press: '1' },
  { say: '12 Orchard Lane, Springfield', confidence: 0.9 },
  { press: '1' },
];
