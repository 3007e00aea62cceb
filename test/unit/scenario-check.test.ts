import { describe, expect, it } from 'vitest';
import { scenarioMisses, type ObservedCall } from '../../src/sim/scenario-check.ts';
import { scenarioSchema, type Scenario } from '../../src/sim/scenario.ts';

/** How a scenario's call is judged: the suite must fail a call that did not do what its scenario says. */

function scenario(extra: Record<string, unknown> = {}): Scenario {
  return scenarioSchema.parse({
    name: 'judged',
    description: 'built by the test',
    callerNumber: '+12125550142',
    turns: [
      { speaker: 'agent', outputs: [{ say: 'Hello.', audio: 'agent-01.ulaw' }] },
      { speaker: 'caller', say: 'Taco Loco.', audio: 'caller-01.ulaw' },
      { speaker: 'caller', say: 'Goodbye.', audio: 'caller-02.ulaw' },
    ],
    ...extra,
  });
}

const asExpected: ObservedCall = {
  endedBy: 'service',
  callerTurnsSpoken: 2,
  errors: [],
  protocolViolations: [],
  afterStreamTwiml: '<Response><Dial timeout="25">+14255550100</Dial></Response>',
  application: { status: 'draft', fields: { businessName: 'Taco Loco', menuItems: ['Tacos'] } },
  endingKind: 'transfer-to-staff',
  toolProblems: ['June 5, 2027 is a Saturday, not a Friday; did you mean Saturday the 5th or Friday the 4th?'],
};

const expectation = {
  submitted: false,
  fields: { businessName: 'Taco Loco', menuItems: ['Tacos'] },
  ending: 'transfer-to-staff',
  afterStreamIncludes: ['<Dial timeout="25">+14255550100</Dial>'],
  toolProblemsInclude: ['is a Saturday, not a Friday'],
};

describe('judging a scenario call', () => {
  it('when the call did all its scenario expects, then nothing is missed', () => {
    expect(scenarioMisses(scenario({ expect: expectation }), asExpected)).toEqual([]);
  });

  it('when the stored call differs from each expectation, then each difference is one miss', () => {
    const misses = scenarioMisses(scenario({ expect: expectation }), {
      ...asExpected,
      afterStreamTwiml: '<Response><Hangup/></Response>',
      application: { status: 'submitted', fields: { businessName: 'Taco Loco Express', menuItems: ['Tacos'] } },
      endingKind: 'agent-finished',
      toolProblems: [],
    });

    expect(misses).toEqual([
      'the application was submitted',
      'businessName: expected "Taco Loco", stored "Taco Loco Express"',
      'the call ending is agent-finished, not transfer-to-staff',
      'the after-stream TwiML has no "<Dial timeout=\\"25\\">+14255550100</Dial>"',
      'no tool gave back the problem "is a Saturday, not a Friday"',
    ]);
  });

  it('when the caller did not get through their lines or Twilio saw a fault, then that is missed even without an expect block', () => {
    const misses = scenarioMisses(scenario(), {
      ...asExpected,
      endedBy: 'timeout',
      callerTurnsSpoken: 1,
      errors: ['the status callback answered HTTP 500'],
      protocolViolations: ['message with event "oops"'],
    });

    expect(misses).toEqual([
      'the caller spoke 1 turns, not the 2 due',
      'the stream was ended by the timeout, not the service',
      'call error: the status callback answered HTTP 500',
      'protocol violation: message with event "oops"',
    ]);
  });

  it('when the scenario hangs up after a turn, then the call must end on the caller side after that turn', () => {
    const dropped = scenario({ hangUpAfterTurn: 0, expect: { submitted: false } });

    expect(scenarioMisses(dropped, { ...asExpected, endedBy: 'caller', callerTurnsSpoken: 1 })).toEqual([]);
    expect(scenarioMisses(dropped, asExpected)).toEqual([
      'the caller spoke 2 turns, not the 1 due',
      'the stream was ended by the service, not the caller',
    ]);
  });

  it('when a call back started a new application instead of the prior draft, then that is missed', () => {
    const callBack = scenario({ priorDraft: { businessName: 'Taco Loco' } });

    expect(scenarioMisses(callBack, { ...asExpected, continuedPriorDraft: false })).toEqual([
      'the call did not carry on the draft of the earlier call',
    ]);
    expect(scenarioMisses(callBack, { ...asExpected, continuedPriorDraft: true })).toEqual([]);
  });
});
