import { describe, expect, it } from 'vitest';
import { CallPhases } from '../../src/call/call-phases.ts';
import { createLogger } from '../../src/ops/logger.ts';
import type { CallPhase } from '../../src/store/call-repository.ts';
import { CapturedLog } from '../support/service.ts';

/** The phase writes of one call: only on change, in order, and a failed one only logged. */

const CALL_SID = `CA${'7'.repeat(32)}`;

function phasesOver(recordPhase: (callSid: string, phase: CallPhase) => Promise<void>) {
  const log = new CapturedLog();
  return { phases: new CallPhases({ recordPhase }, CALL_SID, createLogger('info', log)), log };
}

describe('call phases', () => {
  it('when the same phase is entered again or the caller speaks during the read-back, then nothing more is written', async () => {
    const written: CallPhase[] = [];
    const { phases } = phasesOver((_sid, phase) => {
      written.push(phase);
      return Promise.resolve();
    });
    phases.enter('greeting');
    phases.callerSpoke();
    phases.callerSpoke();
    phases.enter('collecting');
    phases.enter('read-back');
    phases.callerSpoke();
    phases.enter('read-back');
    await phases.settled();
    expect(written).toEqual(['greeting', 'collecting', 'read-back']);
  });

  it('when a write is slow, then the next waits for it, so the row ends on the latest phase', async () => {
    const written: CallPhase[] = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { phases } = phasesOver(async (_sid, phase) => {
      if (phase === 'greeting') await slow;
      written.push(phase);
    });
    phases.enter('greeting');
    phases.enter('collecting');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written).toEqual([]);
    release();
    await phases.settled();
    expect(written).toEqual(['greeting', 'collecting']);
  });

  it('when a write fails, then it is logged, the call is not failed, and the next phase is still written', async () => {
    const written: CallPhase[] = [];
    const { phases, log } = phasesOver((_sid, phase) => {
      if (phase === 'greeting') return Promise.reject(new Error('SQLITE_BUSY: database is locked'));
      written.push(phase);
      return Promise.resolve();
    });
    phases.enter('greeting');
    phases.enter('collecting');
    await expect(phases.settled()).resolves.toBeUndefined();
    expect(written).toEqual(['collecting']);
    expect(log.text).toContain('could not record the call phase');
    expect(log.text).toContain('"phase":"greeting"');
  });
});
