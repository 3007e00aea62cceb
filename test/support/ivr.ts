import type { IvrCallerInput } from '../../src/sim/ivr-caller.ts';

/** Up to the web link offer of a cottage food operation: type, callback yes, name (confirmed), home address (confirmed). */
export const TO_THE_WEB_LINK_OFFER: readonly IvrCallerInput[] = [
  { press: '3' },
  { press: '1' },
  { say: 'Hilltop Jams', confidence: 0.9 },
  { press: '1' },
  { say: '12 Orchard Lane, Springfield', confidence: 0.9 },
  { press: '1' },
];
