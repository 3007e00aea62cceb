import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resumeWindowInWords } from '../intake/resumable-drafts.ts';
import type { Language } from '../permits/language.ts';

/**
 * The model's instructions live in prompts/ as versioned text files, so a
 * change of wording is a reviewed change of file, and every call records the
 * version it ran with.
 */
export const AGENT_INSTRUCTIONS_VERSION = 'agent-instructions.v2';
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

const template = readFileSync(join(PROMPTS_DIR, `${AGENT_INSTRUCTIONS_VERSION}.txt`), 'utf8');

export function renderAgentInstructions(context: InstructionsContext): RenderedInstructions {
  const given = context.resumedDraft === undefined ? 'nothing yet' : context.resumedDraft;
  const resumed =
    context.continuing === 'reconnected'
      ? `The connection to you dropped for a moment during this call; the caller is still on the line. Say sorry for the interruption in one short sentence, do not greet them again or start over, and continue from what is still missing. What they gave so far: ${given}`
      : context.continuing === 'renewed'
        ? `This conversation continues a call already in progress with you; the caller may be answering your last question. Do not greet them or start over, say nothing until they speak, then continue from what is still missing. What they gave so far: ${given}`
        : context.resumedDraft === undefined
          ? ''
          : `This caller started an application earlier and did not finish. Greet them, say you have their earlier answers, and continue from what is missing. What they gave so far: ${context.resumedDraft}`;
  const values: Readonly<Record<string, string>> = {
    today: context.today,
    permit_types: context.permitTypes.join('; '),
    districts: context.districts.join('; '),
    caller_number: context.callerNumber,
    resumed_draft: resumed,
    resume_window: resumeWindowInWords(),
  };
  const text = template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => values[name] ?? placeholder).trim();
  return { version: AGENT_INSTRUCTIONS_VERSION, text };
}
