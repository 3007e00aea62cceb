/**
 * The languages a caller or form user can be served in. One code per
 * language is kept with the application and the call; each language has one
 * catalogue of every line it shows or speaks (docs/caller-experience.md).
 */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  // includes compares with ===, so anything that is not one of the codes is refused without a typeof test.
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** The BCP 47 tag for speech: Twilio's <Say> and <Gather>, and the transcription model's hint. */
export const SPEECH_TAGS: Readonly<Record<Language, string>> = { en: 'en-US', es: 'es-US' };

/** Each language's name in itself, for the switch on a page ("Español"). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', es: 'Español' };
