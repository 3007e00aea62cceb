import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_TWILIO_AUTH_TOKEN, loadConfig } from '../config/config.ts';
import { startPermitLine } from '../service/start-permitline.ts';
import { createLogger } from '../ops/logger.ts';
import { PermitRules } from '../permits/permit-rules.ts';
import { isPermitType } from '../permits/permit-types.ts';
import { readBack } from '../permits/read-back.ts';
import { callSummary, describeCallEvent, phoneClock } from '../sim/call-report.ts';
import { simulateCall } from '../sim/call-simulator.ts';
import { startRealtimeSimulator } from '../sim/realtime-simulator.ts';
import { loadScenario } from '../sim/scenario.ts';
import { freePort } from '../sim/free-port.ts';
import { ApplicationRepository } from '../store/application-repository.ts';
import { CallRepository } from '../store/call-repository.ts';
import { generateDataKeysText, parseDataKeys } from '../keys/data-keys.ts';
import { FieldCipher } from '../store/field-cipher.ts';
import type { OutboxEntry } from '../store/sms-outbox-repository.ts';

/**
 * npm run demo [-- --scenario happy-path --fast]
 *
 * The whole phone path on this machine, with no account and no network: the
 * service on a free port over a throw-away database, the realtime simulator
 * as the model, the call simulator as Twilio. It places one call, prints it
 * live, then prints what was stored: the transcript, the application and the
 * SMS summary as the local Twilio stand-in received it.
 */
const FAST_FACTOR = 4;
// The worker sends within a poll; the stand-in reports delivery 0.4 s later.
const SMS_WAIT_MS = 5_000;

const { values } = parseArgs({
  options: { scenario: { type: 'string', default: 'happy-path' }, fast: { type: 'boolean', default: false } },
});
const scenario = loadScenario(values.scenario);
const dir = mkdtempSync(join(tmpdir(), 'permitline-demo-'));
const out = (text: string) => process.stdout.write(`${text}\n`);

const keys = parseDataKeys(generateDataKeysText(new Date()));
if (!keys.ok) throw new Error(keys.problem);
const model = await startRealtimeSimulator({ scenario, apiKey: 'demo' });
// The stand-in posts delivery callbacks to PUBLIC_BASE_URL, so it is this service's own address.
const port = await freePort();
const publicBaseUrl = `http://127.0.0.1:${port}`;
const loaded = loadConfig({
  PORT: String(port),
  HOST: '127.0.0.1',
  DATABASE_URL: `file:${join(dir, 'demo.db')}`,
  PUBLIC_BASE_URL: publicBaseUrl,
  OPENAI_API_KEY: 'demo',
  OPENAI_BASE_URL: model.baseURL,
  LOG_LEVEL: 'warn',
  // The simulated phone sends faster than real time with --fast; Twilio never does.
  MEDIA_MAX_PACE: String(FAST_FACTOR),
});
if (!loaded.ok) throw loaded.error;
const service = await startPermitLine(loaded.config, createLogger('warn'), keys.keys, { realtimeCa: model.ca });

try {
  out(
    `PermitLine demo: the service is on ${service.url}; the model is the local realtime simulator (scenario "${scenario.name}").`,
  );
  out(
    `Calling as ${scenario.callerNumber}${values.fast ? `, ${FAST_FACTOR}× real time` : ' in real time (add -- --fast for 4×)'}…\n`,
  );
  const result = await simulateCall({
    serviceUrl: service.url,
    publicBaseUrl,
    authToken: DEV_TWILIO_AUTH_TOKEN,
    scenario,
    realTimeFactor: values.fast ? FAST_FACTOR : 1,
    onEvent: (event) => {
      const line = describeCallEvent(event, false);
      if (line !== undefined) out(`${phoneClock(event.atMs).padStart(7)}  ${line}`);
    },
  });
  out(callSummary(result));

  const cipher = new FieldCipher(keys.keys);
  const transcript = await new CallRepository(service.db, cipher).transcript(result.callSid);
  out('── transcript (as stored, in conversation order) ──');
  for (const turn of transcript) out(`${phoneClock(turn.offsetMs).padStart(7)}  ${turn.role.padEnd(6)} ${turn.text}`);

  const call = await new CallRepository(service.db, cipher).find(result.callSid);
  const applications = new ApplicationRepository(service.db, cipher);
  const application = call?.applicationId === undefined ? undefined : await applications.find(call.applicationId);
  out('\n── application ──');
  if (application === undefined) out('  none');
  else {
    const rules = new PermitRules({ healthDistricts: loaded.config.healthDistricts, today: () => '1970-01-01' });
    const type = application.fields.permitType;
    out(
      `  status ${application.status}${application.reference === undefined ? '' : `, reference ${application.reference}`}, channel ${application.channel}`,
    );
    for (const line of readBack(application.fields, isPermitType(type) ? rules.fieldsOf(type) : [], rules.context))
      out(`  ${line}`);
    out('\n── SMS to the applicant (through the local Twilio stand-in) ──');
    const sms = await smsOutcome(applications, application.id);
    if (sms === undefined) out('  none (the applicant declined texts)');
    else {
      const sent = service.twilioStandIn?.messages.find((m) => m.sid === sms.messageSid);
      out(
        `  to ${sms.toPhone}: ${sms.status}${sms.deliveryStatus === undefined ? '' : `, ${sms.deliveryStatus}`}${sms.failureReason === undefined ? '' : ` (${sms.failureReason})`}`,
      );
      out(`  ${sent?.body ?? sms.body}`);
    }
  }
  out(
    `\nCall cost at configured prices: $${(call?.costUsd ?? 0).toFixed(4)} (${call?.inputTokens ?? 0} tokens in, ${call?.outputTokens ?? 0} out).`,
  );
  process.exitCode = result.errors.length > 0 || result.protocolViolations.length > 0 ? 1 : 0;
} finally {
  await service.stop();
  await model.close();
  rmSync(dir, { recursive: true, force: true });
}

/** The application's SMS once the worker has dealt with it (or as it stands after SMS_WAIT_MS). */
async function smsOutcome(
  applications: ApplicationRepository,
  applicationId: string,
): Promise<OutboxEntry | undefined> {
  const deadline = Date.now() + SMS_WAIT_MS;
  for (;;) {
    const [entry] = await applications.outboxFor(applicationId);
    const settled =
      entry === undefined ||
      entry.status === 'failed' ||
      (entry.status === 'sent' &&
        entry.deliveryStatus !== undefined &&
        entry.deliveryStatus !== 'queued' &&
        entry.deliveryStatus !== 'sent');
    if (settled || Date.now() > deadline) return entry;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
