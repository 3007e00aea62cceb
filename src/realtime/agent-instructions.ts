import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESUME_WINDOW_DAYS, resumeWindowInWords } from '../intake/resumable-drafts.ts';
import type { Language } from '../permits/language.ts';

/**
 * The model's instructions live in prompts/ as versioned text files, so a
 * change of wording is a reviewed change of file, and every call records the
 * version it ran with.
 */
export const AGENT_INSTRUCTIONS_VERSION = 'agent-instructions.v3';
const PROMPTS_DIR = join(import.meta.dirname, '../../prompts');

export interface InstructionsContext {
  readonly today: string;
  readonly permitTypes: readonly string[];
  readonly districts: readonly string[];
  /** Spoken digit by digit, so the model reads it back naturally. */
  readonly callerNumber: string;
  /** A short plain-text account of a draft the caller started earlier, if any. */
  readonly resumedDraft?: string | undefined;
  /**
   * This session replaces another during the same call: `reconnected` after one was lost (the agent
   * apologises and carries on), `renewed` ahead of the model's session limit (nothing to say until the caller speaks).
   */
  readonly continuing?: 'reconnected' | 'renewed' | undefined;
  /** The language the agent speaks and the call is in. */
  readonly language: Language;
}

export interface RenderedInstructions {
  readonly version: string;
  readonly text: string;
}

// One file per language: prompts/ for English, prompts/<language>/ for the others, with the same placeholders.
const TEMPLATES: Readonly<Record<Language, string>> = {
  en: readFileSync(join(PROMPTS_DIR, `${AGENT_INSTRUCTIONS_VERSION}.txt`), 'utf8'),
  es: readFileSync(join(PROMPTS_DIR, 'es', `${AGENT_INSTRUCTIONS_VERSION}.txt`), 'utf8'),
};

/** The paragraph that says where this session joins the call, in the instructions' language. */
const CONTINUING: Readonly<
  Record<
    Language,
    {
      readonly nothingYet: string;
      readonly reconnected: (given: string) => string;
      readonly renewed: (given: string) => string;
      readonly resumed: (given: string) => string;
      readonly resumeWindow: () => string;
    }
  >
> = {
  en: {
    nothingYet: 'nothing yet',
    reconnected: (given) =>
      `The connection to you dropped for a moment during this call; the caller is still on the line. Say sorry for the interruption in one short sentence, do not greet them again or start over, and continue from what is still missing. What they gave so far: ${given}`,
    renewed: (given) =>
      `This conversation continues a call already in progress with you; the caller may be answering your last question. Do not greet them or start over, say nothing until they speak, then continue from what is still missing. What they gave so far: ${given}`,
    resumed: (given) =>
      `This caller started an application earlier and did not finish. Greet them, say you have their earlier answers, and continue from what is missing. What they gave so far: ${given}`,
    resumeWindow: () => resumeWindowInWords(),
  },
  es: {
    nothingYet: 'nada todavía',
    reconnected: (given) =>
      `La conexión con usted se cortó un momento durante esta llamada; la persona sigue en la línea. Pida disculpas por la interrupción en una frase corta, no la salude de nuevo ni empiece otra vez, y siga con lo que falta. Lo que dio hasta ahora: ${given}`,
    renewed: (given) =>
      `Esta conversación continúa una llamada ya en curso con usted; puede que la persona esté respondiendo a su última pregunta. No la salude ni empiece otra vez, no diga nada hasta que hable, y luego siga con lo que falta. Lo que dio hasta ahora: ${given}`,
    resumed: (given) =>
      `Esta persona empezó una solicitud antes y no la terminó. Salúdela, dígale que tiene sus respuestas anteriores y siga con lo que falta. Lo que dio hasta ahora: ${given}`,
    resumeWindow: () => `${RESUME_WINDOW_DAYS} días`,
  },
};

export function renderAgentInstructions(context: InstructionsContext): RenderedInstructions {
  const words = CONTINUING[context.language];
  const given = context.resumedDraft ?? words.nothingYet;
  const resumed =
    context.continuing === 'reconnected'
      ? words.reconnected(given)
      : context.continuing === 'renewed'
        ? words.renewed(given)
        : context.resumedDraft === undefined
          ? ''
          : words.resumed(context.resumedDraft);
  const values: Readonly<Record<string, string>> = {
    today: context.today,
    permit_types: context.permitTypes.join('; '),
    districts: context.districts.join('; '),
    caller_number: context.callerNumber,
    resumed_draft: resumed,
    resume_window: words.resumeWindow(),
  };
  const text = TEMPLATES[context.language]
    .replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => values[name] ?? placeholder)
    .trim();
  return { version: AGENT_INSTRUCTIONS_VERSION, text };
}

/** The placeholders a template takes ({{name}}), for the test that every language's file takes the same ones. */
export function templatePlaceholders(language: Language): string[] {
  return [...new Set([...TEMPLATES[language].matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? ''))].sort();
}
