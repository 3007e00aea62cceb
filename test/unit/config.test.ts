import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { TEST_KEY_A } from '../support/keys.ts';

describe('configuration', () => {
  it('when nothing is set, then development defaults apply: port 3000, a local file database, development keys', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(3000);
    expect(result.config.database.url).toBe('file:data/permitline.db');
    expect(result.config.dataKeys).toBeUndefined();
    expect(result.config.publicBaseUrl.href).toBe('http://localhost:3000/');
    expect(result.config.healthDistricts.length).toBeGreaterThan(0);
  });

  it('when the silence and call-length settings are left out, given in decimals, or negative, then defaults apply, decimals are kept and negatives refused', () => {
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.conversation).toEqual({ callerSilenceMs: 20_000, maxCallMs: 1_200_000 });
    const decimals = loadConfig({ CALLER_SILENCE_SECONDS: '1.5', MAX_CALL_MINUTES: '0.25' });
    expect(decimals.ok && decimals.config.conversation).toEqual({ callerSilenceMs: 1_500, maxCallMs: 15_000 });
    const off = loadConfig({ CALLER_SILENCE_SECONDS: '0', MAX_CALL_MINUTES: '0' });
    expect(off.ok && off.config.conversation).toEqual({ callerSilenceMs: 0, maxCallMs: 0 });
    const wrong = loadConfig({ CALLER_SILENCE_SECONDS: '-1', MAX_CALL_MINUTES: 'forever' });
    expect(wrong.ok).toBe(false);
    if (wrong.ok) return;
    expect(wrong.error.problems.join('\n')).toContain('CALLER_SILENCE_SECONDS');
    expect(wrong.error.problems.join('\n')).toContain('MAX_CALL_MINUTES');
  });

  it('when MEDIA_MAX_PACE is left out, then a service without a model key takes the simulated phone’s 4× and one with a key real time; a set value always wins', () => {
    const simulated = loadConfig({});
    expect(simulated.ok && simulated.config.media.maxPace).toBe(4);
    const withModel = loadConfig({ OPENAI_API_KEY: 'sk-test' });
    expect(withModel.ok && withModel.config.media.maxPace).toBe(1);
    const set = loadConfig({ MEDIA_MAX_PACE: '1' });
    expect(set.ok && set.config.media.maxPace).toBe(1);
    const setWithModel = loadConfig({ OPENAI_API_KEY: 'sk-test', MEDIA_MAX_PACE: '4' });
    expect(setWithModel.ok && setWithModel.config.media.maxPace).toBe(4);
  });

  it('when several settings are wrong, then every problem is reported at once', () => {
    const result = loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_BASE_URL: 'ftp://x', NODE_ENV: 'staging' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.error.message;
    for (const name of ['PORT', 'LOG_LEVEL', 'PUBLIC_BASE_URL', 'NODE_ENV']) expect(text).toContain(name);
    expect(result.error.problems).toHaveLength(4);
  });

  it('when production starts with development defaults, then it refuses, saying what to set', () => {
    const result = loadConfig({ NODE_ENV: 'production' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problems = result.error.problems.join('\n');
    expect(problems).toContain('DATA_KEYS is required in production');
    expect(problems).toContain('PUBLIC_BASE_URL is required in production');
    expect(problems).toContain('DATABASE_URL points at a local file in production');
    expect(problems).toContain('TWILIO_AUTH_TOKEN is required in production');
    expect(problems).toContain('OPENAI_API_KEY is required in production');
    expect(problems).toContain(
      'TWILIO_ACCOUNT_SID and either TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID are required in production',
    );
  });

  it('when production is given the development Twilio token, then it refuses it', () => {
    const result = loadConfig({ NODE_ENV: 'production', TWILIO_AUTH_TOKEN: 'dev-twilio-auth-token-not-secret' });
    expect(result.ok ? '' : result.error.problems.join('\n')).toContain('TWILIO_AUTH_TOKEN is required in production');
  });

  it('when token prices are malformed, then the setting is named with its expected form', () => {
    const result = loadConfig({ REALTIME_PRICES_USD_PER_MTOK: 'text_in=4,audio_out=lots' });
    expect(result.ok ? '' : result.error.problems.join('\n')).toContain(
      'REALTIME_PRICES_USD_PER_MTOK must list text_in',
    );
    const good = loadConfig({});
    expect(good.ok && good.config.realtime.prices.audio_out).toBe(64);
  });

  it('when production uses Turso with keys and an https origin, then it starts; a file database needs the explicit opt-in', () => {
    const production = {
      NODE_ENV: 'production',
      DATA_KEYS: TEST_KEY_A,
      PUBLIC_BASE_URL: 'https://permits.example.org',
      DATABASE_URL: 'libsql://permits-example.turso.io',
      DATABASE_AUTH_TOKEN: 'token',
      TWILIO_AUTH_TOKEN: 'twilio-token',
      OPENAI_API_KEY: 'sk-test',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_FROM_NUMBER: '+13125550100',
    };
    expect(loadConfig(production).ok).toBe(true);
    expect(loadConfig({ ...production, DATABASE_AUTH_TOKEN: '' }).ok).toBe(false);
    expect(loadConfig({ ...production, DATABASE_URL: 'file:/var/lib/permitline.db' }).ok).toBe(false);
    expect(
      loadConfig({ ...production, DATABASE_URL: 'file:/var/lib/permitline.db', ALLOW_FILE_DATABASE: 'true' }).ok,
    ).toBe(true);
    expect(loadConfig({ ...production, PUBLIC_BASE_URL: 'http://permits.example.org' }).ok).toBe(false);
  });

  it('when a Twilio account is set, then texts go from its number, or through its Messaging Service when both are given; without a sender it refuses', () => {
    const account = { TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}` };
    const fromNumber = loadConfig({ ...account, TWILIO_FROM_NUMBER: '+13125550100' });
    expect(fromNumber.ok && fromNumber.config.sms.sender).toEqual({ from: '+13125550100' });
    const both = loadConfig({
      ...account,
      TWILIO_FROM_NUMBER: '+13125550100',
      TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}`,
    });
    expect(both.ok && both.config.sms.sender).toEqual({ messagingServiceSid: `MG${'b'.repeat(32)}` });
    const none = loadConfig(account);
    expect(none.ok ? '' : none.error.problems.join('\n')).toContain('TWILIO_ACCOUNT_SID is set but no sender');
    const local = loadConfig({});
    expect(local.ok && local.config.sms.sender).toBeUndefined();
    const badNumber = loadConfig({ TWILIO_FROM_NUMBER: '555-0100', SMS_RETRY_MIN_MS: '5000', SMS_RETRY_MAX_MS: '100' });
    expect(badNumber.ok ? [] : badNumber.error.problems).toEqual([
      expect.stringContaining('TWILIO_FROM_NUMBER must be an E.164 number'),
    ]);
    const badRetry = loadConfig({ SMS_RETRY_MIN_MS: '5000', SMS_RETRY_MAX_MS: '100' });
    expect(badRetry.ok ? '' : badRetry.error.problems.join('\n')).toContain(
      'SMS_RETRY_MAX_MS must be at least SMS_RETRY_MIN_MS',
    );
  });

  it('when TWILIO_API_BASE_URL names a stand-in, then development uses it; production and a real account refuse it', () => {
    const local = loadConfig({ TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' });
    expect(local.ok && local.config.sms.apiBaseUrl).toBe('http://127.0.0.1:4010');
    const withAccount = loadConfig({
      TWILIO_API_BASE_URL: 'http://127.0.0.1:4010',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_FROM_NUMBER: '+13125550100',
    });
    expect(withAccount.ok ? '' : withAccount.error.problems.join('\n')).toContain(
      'TWILIO_API_BASE_URL and TWILIO_ACCOUNT_SID are both set',
    );
    const production = loadConfig({ NODE_ENV: 'production', TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' });
    expect(production.ok ? '' : production.error.problems.join('\n')).toContain(
      'TWILIO_API_BASE_URL is for development and tests only',
    );
  });

  it('when DATA_KEYS, districts or the time zone are malformed, then each is named', () => {
    const result = loadConfig({
      DATA_KEYS: 'k1:tooshort',
      HEALTH_DISTRICTS: 'Central, central',
      DEPARTMENT_TIME_ZONE: 'Mars/Olympus',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problems = result.error.problems.join('\n');
    expect(problems).toMatch(/DATA_KEYS entry 1/);
    expect(problems).toContain('HEALTH_DISTRICTS lists a district twice');
    expect(problems).toContain('Mars/Olympus');
  });

  it("when the department's name and phone are left out, given, or the phone is not a North American E.164 number, then they are unset, kept, or the setting is named", () => {
    const unset = loadConfig({});
    expect(unset.ok && unset.config.department).toEqual({ name: undefined, phone: undefined });
    const given = loadConfig({ DEPARTMENT_NAME: ' Lantern County Public Health ', DEPARTMENT_PHONE: '+12125550123' });
    expect(given.ok && given.config.department).toEqual({
      name: 'Lantern County Public Health',
      phone: '+12125550123',
    });
    const wrong = loadConfig({ DEPARTMENT_PHONE: '212-555-0123' });
    expect(wrong.ok).toBe(false);
    if (wrong.ok) return;
    expect(wrong.error.problems).toEqual([
      'DEPARTMENT_PHONE must be a US or Canadian number in E.164 form, such as +12125550123.',
    ]);
  });

  it('when the config is loaded, then it cannot be changed afterwards', () => {
    const result = loadConfig({ HEALTH_DISTRICTS: 'Central,North County' });
    if (!result.ok) throw result.error;
    expect(result.config.healthDistricts).toEqual(['Central', 'North County']);
    expect(Object.isFrozen(result.config)).toBe(true);
  });

  it('when nothing is set, then traces and metrics are off; OTEL_* and METRICS_* turn them on', () => {
    const off = loadConfig({});
    expect(off.ok && off.config.telemetry).toEqual({
      serviceName: 'permitline',
      traces: {
        exporter: 'none',
        otlpTracesUrl: 'http://localhost:4318/v1/traces',
        sampler: 'parentbased_always_on',
        samplerArg: undefined,
      },
      metrics: undefined,
    });
    const on = loadConfig({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      METRICS_PORT: '9464',
    });
    expect(on.ok && on.config.telemetry.traces).toEqual({
      exporter: 'otlp',
      otlpTracesUrl: 'http://127.0.0.1:4318/v1/traces',
      sampler: 'traceidratio',
      samplerArg: 0.25,
    });
    expect(on.ok && on.config.telemetry.metrics).toEqual({ port: 9464, host: '127.0.0.1', bearerToken: undefined });
    const signalEndpoint = loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/custom' });
    expect(signalEndpoint.ok && signalEndpoint.config.telemetry.traces.otlpTracesUrl).toBe(
      'http://127.0.0.1:4318/custom',
    );
  });

  it('when metrics would be served on a public address without a token, or on the public port, then it refuses', () => {
    const open = loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' });
    expect(open.ok).toBe(false);
    if (!open.ok) expect(open.error.problems.join('\n')).toContain('set METRICS_TOKEN too');
    const guarded = loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: 'scrape-secret' });
    expect(guarded.ok && guarded.config.telemetry.metrics?.bearerToken).toBe('scrape-secret');
    const samePort = loadConfig({ METRICS_PORT: '3000' });
    expect(samePort.ok).toBe(false);
    if (!samePort.ok) expect(samePort.error.problems.join('\n')).toContain('METRICS_PORT must differ from PORT');
    const badExporter = loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_TRACES_SAMPLER_ARG: '2' });
    expect(badExporter.ok).toBe(false);
    if (!badExporter.ok) expect(badExporter.error.problems).toHaveLength(2);
  });

  it('when no bucket is set, then recordings stay in RECORDINGS_DIR; RECORDINGS_S3_* point them at a bucket', () => {
    const local = loadConfig({});
    expect(local.ok && local.config.recordings.s3).toBeUndefined();

    const aws = loadConfig({ RECORDINGS_S3_BUCKET: 'county-permit-recordings' });
    expect(aws.ok && aws.config.recordings.s3).toEqual({
      bucket: 'county-permit-recordings',
      endpoint: undefined,
      region: 'us-east-1',
      prefix: '',
      timeoutMs: 15_000,
      retryMs: 60_000,
    });
    const compatible = loadConfig({
      RECORDINGS_S3_BUCKET: 'recordings',
      RECORDINGS_S3_ENDPOINT: 'http://127.0.0.1:9000',
      RECORDINGS_S3_REGION: 'eu-west-1',
      RECORDINGS_S3_PREFIX: '/permitline/recordings/',
      RECORDINGS_S3_TIMEOUT_MS: '2000',
      RECORDINGS_S3_RETRY_MS: '500',
    });
    expect(compatible.ok && compatible.config.recordings.s3).toEqual({
      bucket: 'recordings',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      prefix: 'permitline/recordings/',
      timeoutMs: 2000,
      retryMs: 500,
    });
  });

  it('when a recordings bucket setting is malformed or set without the bucket, then each is named', () => {
    const malformed = loadConfig({
      RECORDINGS_S3_BUCKET: 'Not_A_Bucket',
      RECORDINGS_S3_ENDPOINT: 'minio:9000',
      RECORDINGS_S3_TIMEOUT_MS: 'soon',
    });
    expect(malformed.ok).toBe(false);
    if (!malformed.ok) {
      const problems = malformed.error.problems.join('\n');
      for (const name of ['RECORDINGS_S3_BUCKET', 'RECORDINGS_S3_ENDPOINT', 'RECORDINGS_S3_TIMEOUT_MS'])
        expect(problems).toContain(name);
      expect(malformed.error.problems).toHaveLength(3);
    }
    const escaping = loadConfig({ RECORDINGS_S3_BUCKET: 'recordings', RECORDINGS_S3_PREFIX: 'permitline/../other' });
    expect(escaping.ok ? '' : escaping.error.problems.join('\n')).toContain(
      'RECORDINGS_S3_PREFIX must be path segments',
    );
    const orphaned = loadConfig({ RECORDINGS_S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(orphaned.ok ? '' : orphaned.error.problems.join('\n')).toContain(
      'RECORDINGS_S3_ENDPOINT or RECORDINGS_S3_PREFIX is set without RECORDINGS_S3_BUCKET',
    );
  });
});
