import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_TWILIO_AUTH_TOKEN, loadConfig } from '../config/config.ts';
import { FAST_FACTOR, parseDemoOptions } from './call-options.ts';
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
import { openDatabase } from '../store/database.ts';
import { startCluster } from '../sim/cluster/cluster.ts';
import type { MessageResource } from '../sim/twilio-stand-in.ts';
import type { Client } from '@libsql/client';

/**
 * npm run demo [-- --scenario happy-path --real-time --cluster]
 *
 * The whole phone path on this machine, with no account and no network: the
 * service on a free port over a throw-away database, the realtime simulator
 * as the model, the call simulator as Twilio. It places one call, prints it
 * live, then prints what was stored: the transcript, the application and the
 * SMS summary as the local Twilio stand-in received it. With --cluster the
 * call goes through HAProxy to two instances (npm run cluster's setup).
 */
// The worker sends within a poll; the stand-in reports delivery 0.4 s later.
const SMS_WAIT_MS = 5_000;

const parsed = parseDemoOptions(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(parsed.text);
  process.exit(0);
}
if (parsed.kind === 'problem') {
  process.stderr.write(`${parsed.message}\n`);
  process.exit(1);
}
const values = parsed.options;
const fast = values.realTimeFactor > 1;
const scenario = loadScenario(values.scenario);
const dir = mkdtempSync(join(tmpdir(), 'permitline-demo-'));
const out = (text: string) => process.stdout.write(`${text}\n`);

const keysText = generateDataKeysText(new Date());
const keys = parseDataKeys(keysText);
if (!keys.ok) throw new Error(keys.problem);
const target = values.cluster ? await clusterTarget(keysText) : await singleServiceTarget(keysText);

try {
  out(
    `PermitLine demo: ${target.description}; the model is the local realtime simulator (scenario "${scenario.name}").`,
  );
  out(
    `Calling as ${scenario.callerNumber}${fast ? `, ${values.realTimeFactor}× real time (add -- --real-time to listen at phone speed)` : ' in real time'}…\n`,
  );
  const result = await simulateCall({
    serviceUrl: target.url,
    publicBaseUrl: target.url,
    authToken: DEV_TWILIO_AUTH_TOKEN,
    scenario,
    realTimeFactor: values.realTimeFactor,
    ...(scenario.hangUpAfterTurn === undefined ? {} : { hangUpAfterTurn: scenario.hangUpAfterTurn }),
    onEvent: (event) => {
      const line = describeCallEvent(event, false);
      if (line !== undefined) out(`${phoneClock(event.atMs).padStart(7)}  ${line}`);
    },
  });
  out(callSummary(result));

  const cipher = new FieldCipher(keys.keys);
  const transcript = await new CallRepository(target.db, cipher).transcript(result.callSid);
  out('── transcript (as stored, in conversation order) ──');
  for (const turn of transcript) out(`${phoneClock(turn.offsetMs).padStart(7)}  ${turn.role.padEnd(6)} ${turn.text}`);

  const call = await new CallRepository(target.db, cipher).find(result.callSid);
  const applications = new ApplicationRepository(target.db, cipher);
  const application = call?.applicationId === undefined ? undefined : await applications.find(call.applicationId);
  out('\n── application ──');
  if (application === undefined) out('  none');
  else {
    const rules = new PermitRules({ healthDistricts: target.healthDistricts, today: () => '1970-01-01' });
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
      const sent = target.twilioMessages().find((m) => m.sid === sms.messageSid);
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
  await target.stop();
  rmSync(dir, { recursive: true, force: true });
}

interface DemoTarget {
  readonly url: string;
  readonly description: string;
  readonly db: Client;
  readonly healthDistricts: readonly string[];
  twilioMessages(): readonly MessageResource[];
  stop(): Promise<void>;
}

/** One service in this process over a throw-away database file. */
async function singleServiceTarget(dataKeys: string): Promise<DemoTarget> {
  const model = await startRealtimeSimulator({ scenario, apiKey: 'demo' });
  // The stand-in posts delivery callbacks to PUBLIC_BASE_URL, so it is this service's own address.
  const port = await freePort();
  const loaded = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(dir, 'demo.db')}`,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_KEYS: dataKeys,
    OPENAI_API_KEY: 'demo',
    OPENAI_BASE_URL: model.baseURL,
    LOG_LEVEL: 'warn',
    // The simulated phone sends faster than real time unless --real-time; Twilio never does.
    MEDIA_MAX_PACE: String(FAST_FACTOR),
  });
  if (!loaded.ok) throw loaded.error;
  const service = await startPermitLine(loaded.config, createLogger('warn'), keys.ok ? keys.keys : [], {
    realtimeCa: model.ca,
  });
  return {
    url: service.url,
    description: `the service is on ${service.url}`,
    db: service.db,
    healthDistricts: loaded.config.healthDistricts,
    twilioMessages: () => service.twilioStandIn?.messages ?? [],
    async stop() {
      await service.stop();
      await model.close();
    },
  };
}

/** Two instances behind HAProxy (npm run cluster), the call through the balancer. */
async function clusterTarget(dataKeys: string): Promise<DemoTarget> {
  out('Starting a cluster of 2 instances behind HAProxy…');
  const cluster = await startCluster({
    instances: 2,
    scenario,
    twilioAuthToken: DEV_TWILIO_AUTH_TOKEN,
    dataKeys,
    env: { MEDIA_MAX_PACE: String(FAST_FACTOR), LOG_LEVEL: 'warn' },
    onProgress: (message) => {
      out(`  ${message}`);
    },
  });
  const db = await openDatabase({ url: cluster.databaseUrl, authToken: cluster.databaseAuthToken });
  const defaults = loadConfig({});
  return {
    url: cluster.url,
    description: `the balancer is on ${cluster.url}, in front of ${cluster.instances.map((i) => i.name).join(' and ')}`,
    db,
    healthDistricts: defaults.ok ? defaults.config.healthDistricts : [],
    twilioMessages: () => cluster.twilio.messages,
    async stop() {
      db.close();
      await cluster.stop();
    },
  };
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
