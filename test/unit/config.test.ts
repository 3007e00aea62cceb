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
  });

  it('when production is given the development Twilio token, then it refuses it', () => {
    const result = loadConfig({ NODE_ENV: 'production', TWILIO_AUTH_TOKEN: 'dev-twilio-auth-token-not-secret' });
    expect(result.ok ? '' : result.error.problems.join('\n')).toContain('TWILIO_AUTH_TOKEN is required in production');
  });

  it('when token prices are malformed, then the setting is named with its expected form', () => {
    const result = loadConfig({ REALTIME_PRICES_USD_PER_MTOK: 'text_in=4,audio_out=lots' });
    expect(result.ok ? '' : result.error.problems.join('\n')).toContain('REALTIME_PRICES_USD_PER_MTOK must list text_in');
    const good = loadConfig({});
    expect(good.ok && good.config.realtime.prices.audio_out).toBe(64);
  });

  it('when production uses Turso with keys and an https origin, then it starts; a file database needs the explicit opt-in', () => {
    const production = { NODE_ENV: 'production', DATA_KEYS: TEST_KEY_A, PUBLIC_BASE_URL: 'https://permits.example.org', DATABASE_URL: 'libsql://permits-example.turso.io', DATABASE_AUTH_TOKEN: 'token', TWILIO_AUTH_TOKEN: 'twilio-token', OPENAI_API_KEY: 'sk-test' };
    expect(loadConfig(production).ok).toBe(true);
    expect(loadConfig({ ...production, DATABASE_AUTH_TOKEN: '' }).ok).toBe(false);
    expect(loadConfig({ ...production, DATABASE_URL: 'file:/var/lib/permitline.db' }).ok).toBe(false);
    expect(loadConfig({ ...production, DATABASE_URL: 'file:/var/lib/permitline.db', ALLOW_FILE_DATABASE: 'true' }).ok).toBe(true);
    expect(loadConfig({ ...production, PUBLIC_BASE_URL: 'http://permits.example.org' }).ok).toBe(false);
  });

  it('when DATA_KEYS, districts or the time zone are malformed, then each is named', () => {
    const result = loadConfig({ DATA_KEYS: 'k1:tooshort', HEALTH_DISTRICTS: 'Central, central', DEPARTMENT_TIME_ZONE: 'Mars/Olympus' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problems = result.error.problems.join('\n');
    expect(problems).toMatch(/DATA_KEYS entry 1/);
    expect(problems).toContain('HEALTH_DISTRICTS lists a district twice');
    expect(problems).toContain('Mars/Olympus');
  });

  it('when the config is loaded, then it cannot be changed afterwards', () => {
    const result = loadConfig({ HEALTH_DISTRICTS: 'Central,North County' });
    if (!result.ok) throw result.error;
    expect(result.config.healthDistricts).toEqual(['Central', 'North County']);
    expect(Object.isFrozen(result.config)).toBe(true);
  });
});
