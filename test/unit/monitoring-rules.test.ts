import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPromtool, promtool } from '../support/promtool.ts';

/**
 * promtool on the rules and the example scrape config in
 * infrastructure/monitoring/prometheus/: the rules parse, every alert fires
 * and stays quiet as its unit tests say (alerts.test.yml), and the config
 * loads. .ci/run runs the same three commands as a step of its own. The
 * dashboard's queries are parsed by promtool too, as recording rules of a
 * scratch file: Grafana would otherwise be the first to read them.
 */

const PROMETHEUS_DIR = fileURLToPath(new URL('../../infrastructure/monitoring/prometheus/', import.meta.url));
const RULE_FILES = ['recording.yml', 'alerts.yml'];
const DASHBOARD_FILE = fileURLToPath(
  new URL('../../infrastructure/monitoring/grafana/permitline-dashboard.json', import.meta.url),
);

// What Grafana puts in place of its variables before a query reaches Prometheus.
const GRAFANA_VALUES: Readonly<Record<string, string>> = {
  $__rate_interval: '1m',
  $__interval: '30s',
  $__range: '1d',
  $instance: '.*',
};

interface DashboardPanel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly DashboardPanel[];
}

function dashboardQueries(): { readonly title: string; readonly expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: DashboardPanel[] };
  const walk = (panels: readonly DashboardPanel[]): { title: string; expr: string }[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).map((target) => ({ title: panel.title ?? '', expr: target.expr ?? '' })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels).map(({ title, expr }) => ({
    title,
    expr: expr.replace(/\$__rate_interval|\$__interval|\$__range|\$instance/g, (name) => GRAFANA_VALUES[name]!),
  }));
}

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

  it('when the dashboard queries are parsed by promtool, then every one is valid PromQL', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    // JSON strings are YAML strings: each query goes in as written, one recording rule per query.
    const rules = queries.map(
      ({ expr }, index) => `      - record: dashboard:query:${index}\n        expr: ${JSON.stringify(expr)}`,
    );
    const file = join(scratch, 'dashboard-queries.yml');
    writeFileSync(file, `groups:\n  - name: dashboard-queries\n    rules:\n${rules.join('\n')}\n`);
    const run = await promtool(['check', 'rules', file], scratch);
    const titles = queries.map(({ title }, index) => `dashboard:query:${index} is from "${title}"`).join('\n');
    expect(run.exitCode, `${run.output}\n${titles}`).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${queries.length} rules found`);
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
