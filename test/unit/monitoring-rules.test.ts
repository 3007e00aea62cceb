import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPromtool, promtool } from '../support/promtool.ts';

/**
 * promtool on the rules and the example scrape config in
 * infrastructure/monitoring/prometheus/: the rules parse, every alert fires
 * and stays quiet as its unit tests say (alerts.test.yml), and the config
 * loads. .ci/run runs the same three commands as a step of its own.
 */

const PROMETHEUS_DIR = fileURLToPath(new URL('../../infrastructure/monitoring/prometheus/', import.meta.url));
const RULE_FILES = ['recording.yml', 'alerts.yml'];

describe.skipIf(!hasPromtool)('the Prometheus rules and config, checked by promtool', () => {
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'permitline-prometheus-'));
  });
  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it('when the rule files are checked, then promtool finds every rule valid and lint-free', async () => {
    const run = await promtool(['check', 'rules', '--lint=all', '--lint-fatal', ...RULE_FILES], PROMETHEUS_DIR);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/alerts\.yml\s+SUCCESS: 9 rules found/);
  });

  it("when the alerts' unit tests run, then each alert fires and stays quiet as its tests expect", async () => {
    const run = await promtool(['test', 'rules', 'alerts.test.yml'], PROMETHEUS_DIR);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS');
  });

  it('when the example config is checked beside a token file, then promtool loads it and its rule files', async () => {
    // The config reads the bearer token from a file next to it; promtool wants that file to exist.
    for (const file of ['prometheus.yml', ...RULE_FILES]) copyFileSync(join(PROMETHEUS_DIR, file), join(scratch, file));
    writeFileSync(join(scratch, 'permitline-metrics-token'), 'not-a-real-token\n', { mode: 0o600 });
    const run = await promtool(['check', 'config', '--lint=all', '--lint-fatal', 'prometheus.yml'], scratch);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS: 2 rule files found');
  });
});
