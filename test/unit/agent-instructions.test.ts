import { describe, expect, it } from 'vitest';
import { renderAgentInstructions, templatePlaceholders } from '../../src/realtime/agent-instructions.ts';

/** The model's instructions, one file per language (prompts/, prompts/es/), rendered for a call. */
const CONTEXT = {
  today: '2026-11-25',
  permitTypes: ['Temporary food event', 'Mobile food unit'],
  districts: ['Central'],
  callerNumber: '2 1 2, 5 5 5, 0 1 4 2',
} as const;

describe('the agent instructions', () => {
  it('when the English and Spanish files are compared, then they take exactly the same placeholders', () => {
    expect(templatePlaceholders('es')).toEqual(templatePlaceholders('en'));
    expect(templatePlaceholders('en')).toEqual([
      'caller_number',
      'districts',
      'permit_types',
      'resume_window',
      'resumed_draft',
      'today',
    ]);
  });

  it('when a call is in Spanish, then the instructions are the Spanish file with every placeholder filled', () => {
    const { text } = renderAgentInstructions({ ...CONTEXT, language: 'es', resumedDraft: 'Negocio: Taco Loco' });
    expect(text).toContain('Toma solicitudes de permisos de alimentos por teléfono, en español');
    expect(text).toContain('dentro de 7 días para terminar');
    expect(text).toContain('Esta persona empezó una solicitud antes');
    expect(text).not.toMatch(/\{\{\w+\}\}/);
  });

  it('when a call is in English, then the greeting offers Spanish on key 2 and set_language is explained', () => {
    const { text } = renderAgentInstructions({ ...CONTEXT, language: 'en', continuing: 'renewed' });
    expect(text).toContain('Para español, oprima dos.');
    expect(text).toContain('call set_language with "es"');
    expect(text).toContain('This conversation continues a call already in progress');
    expect(text).not.toMatch(/\{\{\w+\}\}/);
  });
});
