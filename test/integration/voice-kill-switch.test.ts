import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/store/audit-log.ts';
import { ServiceSwitches } from '../../src/store/service-switches.ts';
import { ADMIN, CLERK, StaffClient, addStaffUser } from '../support/staff.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';
import { pause, waitUntil } from '../support/wait.ts';

/**
 * The voice-ai kill switch on the real service, over real sockets: the
 * switch is set in the shared database (as npm run voice and the Switches
 * page do), and the next call's webhook follows it; a call already talking
 * with the model is not cut off.
 */

const IVR_REDIRECT = `<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`;
const MEDIA_STREAM = `<Stream url="wss://permits.example.test/twilio/media"`;
let rig: VoiceRig;
let switches: ServiceSwitches;
let callNumber = 0;

beforeAll(async () => {
  rig = await startVoiceRig('happy-path');
  switches = new ServiceSwitches(rig.service.db, new AuditLog(rig.service.db));
  await addStaffUser(rig.service.db, ADMIN.username, 'admin', ADMIN.password);
  await addStaffUser(rig.service.db, CLERK.username, 'staff', CLERK.password);
}, 60_000);
afterAll(async () => {
  await rig.close();
});
afterEach(async () => {
  await switches.set('voice-ai', 'on', { actor: 'test', sourceAddress: 'local' });
});

/** A new call's voice webhook, from a number of its own (so no per-caller limit applies); its TwiML. */
async function phoneIn(): Promise<string> {
  callNumber += 1;
  const res = await postTwilioWebhook(
    { serviceUrl: rig.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    '/twilio/voice',
    {
      CallSid: `CA${'f'.repeat(28)}${String(callNumber).padStart(4, '0')}`,
      From: `+1312555${String(100 + callNumber).padStart(4, '0')}`,
      To: '+13125550100',
      CallStatus: 'ringing',
    },
  );
  expect(res.status).toBe(200);
  return res.body;
}

async function signedIn(user: { username: string; password: string }): Promise<StaffClient> {
  const client = new StaffClient(rig.service.url);
  const answer = await client.signIn(user.username, user.password);
  expect(answer.status, answer.html).toBe(303);
  return client;
}

describe('the voice-ai kill switch', () => {
  it('when the voice-ai switch is off, then a new call is redirected to the keypad IVR without a model session, and the log says why; when it is on again, the next call gets the media stream', async () => {
    const sessionsBefore = rig.model.connections;
    await switches.set('voice-ai', 'off', { actor: 'cli:ops', sourceAddress: 'local', reason: 'model outage drill' });

    const off = await phoneIn();

    expect(off).toContain(IVR_REDIRECT);
    expect(off).not.toContain('<Connect');
    expect(rig.service.log.text).toContain('call sent to the IVR: an operator turned the voice-ai switch off');
    await pause(200);
    expect(rig.model.connections).toBe(sessionsBefore);

    await switches.set('voice-ai', 'on', { actor: 'cli:ops', sourceAddress: 'local' });
    const on = await phoneIn();

    expect(on).toContain(MEDIA_STREAM);
    expect(on).not.toContain(IVR_REDIRECT);
  });

  it('when the switch goes off while a call is talking with the model, then that call carries on to its submitted end, and a call arriving meanwhile goes to the IVR', async () => {
    const live = rig.call({ realTimeFactor: 4 });
    await waitUntil(() => rig.service.callOrchestrator.liveCalls === 1, 'the call is streaming', 30_000);

    await switches.set('voice-ai', 'off', { actor: 'cli:ops', sourceAddress: 'local', reason: 'mid-call test' });
    const arriving = await phoneIn();
    const result = await live;

    expect(arriving).toContain(IVR_REDIRECT);
    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(result.connectActionTwiml).not.toContain('/twilio/ivr');
    const [call] = (
      await rig.service.db.execute({
        sql: 'SELECT a.status FROM calls c JOIN applications a ON a.id = c.application_id WHERE c.call_sid = ?',
        args: [result.callSid],
      })
    ).rows;
    expect(call).toMatchObject({ status: 'submitted' });
  }, 120_000);

  it('when a staff member without the admin role opens the Switches page or posts to it, then they get 403 and the switch is unchanged', async () => {
    const clerk = await signedIn(CLERK);

    const page = await clerk.get('/staff/switches');
    const post = await clerk.postFrom('/staff/calls', '/staff/switches/voice-ai', { state: 'off', reason: 'no' });

    expect([page.status, post.status]).toEqual([403, 403]);
    expect(await switches.state('voice-ai')).toBe('on');
    expect(await phoneIn()).toContain(MEDIA_STREAM);
  });

  it('when an admin turns voice AI off on the Switches page with a reason, then new calls go to the IVR, the page shows who, when and why, and the audit log has the change; turning it on brings the stream back', async () => {
    const admin = await signedIn(ADMIN);
    const before = await admin.get('/staff/switches');
    expect(before.status).toBe(200);
    expect(before.html).toContain('Turn Voice AI off');
    expect(before.html).toContain('Turn SMS sending off');

    const turnedOff = await admin.postFrom('/staff/switches', '/staff/switches/voice-ai', {
      state: 'off',
      reason: 'vendor incident 42',
    });

    expect(turnedOff.status).toBe(200);
    expect(turnedOff.html).toContain('Voice AI is off.');
    expect(turnedOff.html).toContain(`by ${ADMIN.username}`);
    expect(turnedOff.html).toContain('vendor incident 42');
    expect(turnedOff.html).toContain('Turn Voice AI on');
    expect(await phoneIn()).toContain(IVR_REDIRECT);
    const [entry] = await new AuditLog(rig.service.db).page({ limit: 1 });
    expect(entry).toMatchObject({
      actor: ADMIN.username,
      action: 'switch.voice-ai.off',
      subject: 'switch:voice-ai',
      detail: { reason: 'vendor incident 42' },
    });

    const turnedOn = await admin.postFrom('/staff/switches', '/staff/switches/voice-ai', { state: 'on', reason: '' });

    expect(turnedOn.html).toContain('Voice AI is on.');
    expect(await phoneIn()).toContain(MEDIA_STREAM);
    const [onEntry] = await new AuditLog(rig.service.db).page({ limit: 1 });
    expect(onEntry).toMatchObject({ actor: ADMIN.username, action: 'switch.voice-ai.on' });
    expect((await new AuditLog(rig.service.db).verify()).ok).toBe(true);
  });
});
