import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { permitToolDefinitions, PermitToolbox } from '../../src/intake/permit-tools.ts';
import { parseOfficeHours, StaffLine, type OfficeHours } from '../../src/permits/office-hours.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { CallBackRequests } from '../../src/store/call-back-requests.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { completeApplication, TODAY } from '../support/applications.ts';
import { testDataKeys } from '../support/keys.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';

/** The voice agent's tools against a real libSQL file. */
const rules = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });
let db: Client;
let database: TestDatabase;
let applications: ApplicationService;

beforeEach(async () => {
  database = await openTestDatabase();
  db = database.db;
  applications = new ApplicationService({
    repository: new ApplicationRepository(db, new FieldCipher(testDataKeys())),
    rules,
    timeZone: 'America/Los_Angeles',
  });
});
afterEach(() => {
  database.close();
});

async function toolbox() {
  const id = await applications.startDraft('voice');
  return { id, tools: new PermitToolbox(applications, rules, id) };
}

function officeHours(spec: string): OfficeHours {
  const hours = parseOfficeHours(spec, 'America/Los_Angeles');
  if (typeof hours === 'string') throw new Error(hours);
  return hours;
}

const output = (json: string) => JSON.parse(json) as Record<string, unknown>;

describe('the permit tools', () => {
  it('when the tool schemas are generated, then update_application takes every field with the configured districts and described dates', () => {
    const [update, ...others] = permitToolDefinitions(rules);
    const properties = update?.parameters.properties as Record<string, { enum?: string[]; description?: string }>;
    expect(update?.name).toBe('update_application');
    expect(properties.healthDistrict?.enum).toEqual(['Central', 'North County']);
    expect(properties.eventStartDate?.description).toContain('March 3rd');
    expect(update?.parameters.required).toBeUndefined();
    expect(others.map((t) => t.name)).toEqual([
      'get_application',
      'submit_application',
      'transfer_to_person',
      'request_call_back',
      'set_language',
      'end_call',
    ]);
  });

  it('when answers are given, then valid ones are saved at once and each problem comes back in plain words with the next question', async () => {
    const { id, tools } = await toolbox();
    const result = await tools.run(
      'update_application',
      JSON.stringify({ permitType: 'food_establishment', openingDate: 'February 30th', businessName: 'Taco Loco' }),
    );

    const body = output(result.output);
    expect(body.saved).toEqual(['Permit type', 'Business name (as on the booth, truck or sign)']);
    expect(body.problems).toEqual([
      'We could not read "February 30th" as a date; please give a date such as March 3, 2027 or 03/03/2027.',
    ]);
    expect(body.next_question).toBe('Please give the full name of the person applying.');
    expect((await applications.find(id))?.fields.businessName).toBe('Taco Loco');
    expect(result.summary).toContain('openingDate rejected');
  });

  it('when the model sends text with control or bidi characters, then those answers are refused with the plain message and not stored', async () => {
    const { id, tools } = await toolbox();
    const result = await tools.run(
      'update_application',
      JSON.stringify({ permitType: 'food_establishment', businessName: 'Taco\u202eocoL', applicantName: 'Rosa\u0007' }),
    );

    const body = output(result.output);
    expect(body.saved).toEqual(['Permit type']);
    const hidden =
      'contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.';
    expect(body.problems).toEqual([
      `Applicant's full name ${hidden}`,
      `Business name (as on the booth, truck or sign) ${hidden}`,
    ]);
    const stored = await applications.find(id);
    expect(stored?.fields).not.toHaveProperty('businessName');
    expect(stored?.fields).not.toHaveProperty('applicantName');

    const direct = await applications.updateDraft(id, { establishmentAddress: '100 Main\u2066 Street' });
    expect(direct.problems.map((p) => p.message)).toEqual([`Establishment address ${hidden}`]);
  });

  it('when submit is called without a confirmed read-back of the current answers, then it is refused and nothing is submitted', async () => {
    const { id, tools } = await toolbox();
    await tools.run('update_application', JSON.stringify(completeApplication('cottage_food_operation')));

    expect(
      output((await tools.run('submit_application', JSON.stringify({ caller_confirmed: true }))).output).error,
    ).toContain('Read the application back');
    await tools.run('get_application', '{}');
    expect(output((await tools.run('submit_application', JSON.stringify({ caller_confirmed: false }))).output).ok).toBe(
      false,
    );
    await tools.run('update_application', JSON.stringify({ businessName: 'Taco Loco Express' }));
    expect(
      output((await tools.run('submit_application', JSON.stringify({ caller_confirmed: true }))).output).error,
    ).toContain('Read the application back');
    expect((await applications.find(id))?.status).toBe('draft');
  });

  it('when the read-back is confirmed, then submit returns the reference spaced for speech', async () => {
    const { tools } = await toolbox();
    await tools.run('update_application', JSON.stringify(completeApplication('mobile_food_unit')));
    const readBack = output((await tools.run('get_application', '')).output);
    expect(readBack.complete).toBe(true);
    expect(readBack.read_back).toContain('Contact phone: 2 1 2, 5 5 5, 0 1 4 2');

    const body = output((await tools.run('submit_application', JSON.stringify({ caller_confirmed: true }))).output);
    expect(body.ok).toBe(true);
    expect(body.reference_to_read_out).toMatch(/^F P, 2 0 2 6, \w \w \w, \w \w \w$/);
    expect(body.text_message_will_follow).toBe(true);
  });

  it('when the model sends broken arguments or an unknown tool, then the result says what to do instead of throwing', async () => {
    const { tools } = await toolbox();
    expect(output((await tools.run('update_application', '{not json')).output).error).toContain('not a JSON object');
    expect(output((await tools.run('update_application', '[1,2]')).output).error).toContain('not a JSON object');
    expect(output((await tools.run('order_pizza', '{}')).output).error).toContain('There is no tool named order_pizza');
    expect((await tools.run('end_call', '{}')).endCall).toBe(true);
  });

  it('when the caller speaks Spanish, then set_language says the call goes on in Spanish, and a language we do not serve is refused', async () => {
    const { tools } = await toolbox();
    const spanish = await tools.run('set_language', '{"language":"es"}');
    expect(spanish.language).toBe('es');
    expect(output(spanish.output).say).toContain('speak only Spanish');
    expect(spanish.summary).toBe('language: es');
    const french = await tools.run('set_language', '{"language":"fr"}');
    expect(french.language).toBeUndefined();
    expect(output(french.output).error).toBe('language must be one of en, es.');
  });

  it('when the office is closed and the caller wants a call back, then it is offered, recorded once for staff with the call and the language, and refused without a number to call', async () => {
    const id = await applications.startDraft('voice');
    const callBacks = new CallBackRequests(db, new FieldCipher(testDataKeys()));
    const staff = {
      // A Sunday night: the office (weekdays, 8 to 5) is closed.
      line: new StaffLine('+14255550100', officeHours('Mon-Fri 08:00-17:00'), () => new Date('2026-11-29T11:00:00Z')),
      applyAddress: 'permits dot example dot test slash apply',
      callBacks,
    };
    const call = { callSid: `CA${'7'.repeat(32)}`, callerNumber: '+14255550142' };
    await new CallRepository(db, new FieldCipher(testDataKeys())).recordIncoming(
      call.callSid,
      call.callerNumber,
      'in-progress',
    );
    const tools = new PermitToolbox(applications, rules, id, { staff, language: 'es', call });
    const closed = output(tools.transferToPerson().output);
    expect(closed.say).toContain('a call back from staff when the office is open (call request_call_back');

    const asked = await tools.run('request_call_back', '{}');
    expect(asked.summary).toBe('call back requested');
    expect((await tools.run('request_call_back', '{}')).summary).toBe('call back already requested');
    const open = await callBacks.listOpen();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      callSid: call.callSid,
      callerNumber: '+14255550142',
      language: 'es',
      applicationId: id,
    });

    const withheld = new PermitToolbox(applications, rules, id, {
      staff,
      call: { ...call, callerNumber: 'anonymous' },
    });
    expect(output(withheld.transferToPerson().output).say).not.toContain('request_call_back');
    expect(output((await withheld.run('request_call_back', '{}')).output).error).toContain('cannot be offered');
  });
});
