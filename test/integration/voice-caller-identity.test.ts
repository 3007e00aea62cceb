import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';

/** A caller is found again by their number, and only by a real one. */

let rig: VoiceRig;

beforeAll(async () => {
  rig = await startVoiceRig('happy-path');
});
afterAll(async () => {
  await rig.close();
});

describe('who a caller is', () => {
  it("when two callers with withheld caller ID phone in, then the second does not resume the first one's draft", async () => {
    const calls = new CallRepository(rig.service.db, new FieldCipher(testDataKeys()));
    const first = `CA${'6'.repeat(32)}`;
    const second = `CA${'7'.repeat(32)}`;
    await rig.service.callOrchestrator.answer(first, 'anonymous', 'ringing');
    const firstDraft = (await calls.find(first))?.applicationId;

    await rig.service.callOrchestrator.answer(second, 'anonymous', 'ringing');

    expect(firstDraft).toBeDefined();
    expect((await calls.find(second))?.applicationId).not.toBe(firstDraft);
  });

  it('when a caller with a real number phones in again, then their draft is resumed (the control)', async () => {
    const calls = new CallRepository(rig.service.db, new FieldCipher(testDataKeys()));
    const first = `CA${'8'.repeat(32)}`;
    const again = `CA${'9'.repeat(32)}`;
    await rig.service.callOrchestrator.answer(first, '+13125550144', 'ringing');

    await rig.service.callOrchestrator.answer(again, '+13125550144', 'ringing');

    expect((await calls.find(again))?.applicationId).toBe((await calls.find(first))?.applicationId);
  });
});
