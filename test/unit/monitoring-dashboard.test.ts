import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../src/ops/service-metrics.ts';
import { metricNamesIn, selectorsIn } from '../support/promql-metric-names.ts';
import { parse as parseYaml } from 'yaml';

/**
 * The dashboard, the alert rules and the runbooks are checked against the
 * metric catalogue (src/ops/service-metrics.ts): a panel or an alert over a
 * metric the service does not export shows "no data" or never fires, and
 * nobody notices until the day it was needed. promtool checks the rules'
 * syntax and behaviour (test/unit/monitoring-rules.test.ts); this checks the
 * names.
 */

const ROOT = new URL('../../', import.meta.url);
const MONITORING = new URL('infrastructure/monitoring/', ROOT);
const read = (url: URL): string => readFileSync(fileURLToPath(url), 'utf8');

interface Target {
  readonly expr?: string;
  readonly refId?: string;
}
interface Panel {
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}
interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query?: string };
}
interface Dashboard {
  readonly schemaVersion: number;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}
interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface AlertTest {
  readonly alertname: string;
  readonly exp_alerts: readonly unknown[];
}

const dashboard = JSON.parse(read(new URL('grafana/permitline-dashboard.json', MONITORING))) as Dashboard;

function rulesOf(file: string): Rule[] {
  const doc = parseYaml(read(new URL(`prometheus/${file}`, MONITORING))) as unknown as {
    groups: { rules: Rule[] }[];
  };
  return doc.groups.flatMap((group) => group.rules);
}
const recordingRules = rulesOf('recording.yml');
const alertRules = rulesOf('alerts.yml');
const alertTests = (
  parseYaml(read(new URL('prometheus/alerts.test.yml', MONITORING))) as unknown as {
    tests: { alert_rule_test?: AlertTest[] }[];
  }
).tests.flatMap((test) => test.alert_rule_test ?? []);

/** Every panel, those inside rows included (a collapsed row keeps its panels in `panels`). */
function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}
const panels = allPanels(dashboard.panels).filter((panel) => panel.type !== 'row');

/** What a query may name: each exported series name, the recording rules, and Prometheus's own `up`. */
let exported: ReadonlySet<string>;
/** Per exported series name: the labels it has, and for a closed label the values it can take. */
let labelsOf: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string> | undefined>>;
// Prometheus adds these to every series it scrapes.
const TARGET_LABELS = ['job', 'instance'];
beforeAll(async () => {
  const metrics = new ServiceMetrics();
  const catalogue = await metrics.registry.getMetricsAsJSON();
  labelsOf = new Map(
    catalogue.flatMap((metric) => {
      const labelNames =
        (metrics.registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      // A series exported at 0 from the start lists every value of a closed label (service-metrics.ts).
      const closed = (label: string): ReadonlySet<string> | undefined => {
        const values = metric.values.map((v) => v.labels[label]).filter((v) => v !== undefined);
        return values.length === 0 ? undefined : new Set(values.map(String));
      };
      const labels = new Map<string, ReadonlySet<string> | undefined>([
        ...TARGET_LABELS.map((label) => [label, undefined] as const),
        ...labelNames.map((label) => [label, closed(label)] as const),
      ]);
      if (String(metric.type) !== 'histogram') return [[metric.name, labels] as const];
      return [
        [`${metric.name}_bucket`, new Map([...labels, ['le', undefined]])] as const,
        [`${metric.name}_sum`, labels] as const,
        [`${metric.name}_count`, labels] as const,
      ];
    }),
  );
  exported = new Set([
    ...catalogue.flatMap((metric) =>
      // A histogram is only ever stored as its three series; its bare name matches nothing in Prometheus.
      String(metric.type) === 'histogram'
        ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
        : [metric.name],
    ),
    ...recordingRules.map((rule) => rule.record!),
    'up',
  ]);
});

function unknownNames(expr: string): string[] {
  return metricNamesIn(expr).filter((name) => !exported.has(name));
}

/**
 * Matchers on a label the metric does not have, or on a value a closed label never takes: either matches
 * nothing, silently. A regex is checked when it is a plain alternation (`failed|gave-up`).
 */
function wrongMatchers(expr: string): string[] {
  return selectorsIn(expr).flatMap(({ metric, matchers }) => {
    const labels = metric === undefined ? undefined : labelsOf.get(metric);
    if (labels === undefined) return [];
    return matchers.flatMap(({ label, op, value }) => {
      if (!labels.has(label)) return [`${metric} has no label ${label}`];
      const known = labels.get(label);
      const plain = op === '=' || op === '!=' || value.split('|').every((v) => /^[\w-]+$/.test(v));
      if (known === undefined || !plain) return [];
      return value
        .split('|')
        .filter((v) => !known.has(v))
        .map((v) => `${metric}{${label}} is never "${v}"`);
    });
  });
}

describe('the Grafana dashboard', () => {
  it('when its panels are listed, then each has a title, a description and at least one query', () => {
    expect(panels.length).toBeGreaterThan(20);
    for (const panel of panels) {
      expect(panel.title?.trim(), JSON.stringify(panel).slice(0, 200)).toBeTruthy();
      expect(panel.description?.trim(), `panel "${panel.title}" has no description`).toBeTruthy();
      expect(panel.targets?.length ?? 0, `panel "${panel.title}" has no query`).toBeGreaterThan(0);
      for (const target of panel.targets ?? [])
        expect(target.expr?.trim(), `a query of "${panel.title}" is empty`).toBeTruthy();
    }
  });

  it('when a panel queries Prometheus, then every metric it names is one the service exports', () => {
    for (const panel of panels)
      for (const target of panel.targets ?? [])
        expect(unknownNames(target.expr!), `panel "${panel.title}" ${target.refId}: ${target.expr}`).toEqual([]);
  });

  it('when a panel filters by label, then the metric has that label and the value is one it takes', () => {
    for (const panel of panels)
      for (const target of panel.targets ?? [])
        expect(wrongMatchers(target.expr!), `panel "${panel.title}" ${target.refId}: ${target.expr}`).toEqual([]);
  });

  it('when imported, then it asks for the Prometheus data source and offers the instances', () => {
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const instance = variables.get('instance');
    expect(instance?.type).toBe('query');
    const query = typeof instance?.query === 'string' ? instance.query : instance?.query?.query;
    const selector = /^label_values\((.+),\s*instance\)$/.exec(query ?? '')?.[1];
    expect(selector, `the instance variable's query: ${query}`).toBeDefined();
    expect(unknownNames(selector!)).toEqual([]);
    for (const panel of panels) {
      expect(panel.datasource, `panel "${panel.title}"`).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? [])
        if (!/permitline_outbox_/.test(target.expr!))
          expect(target.expr, `panel "${panel.title}" ignores the instance picker`).toContain('$instance');
    }
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it('when laid out, then every panel fits the 24-column grid and none covers another', () => {
    const taken = new Map<string, string>();
    for (const panel of allPanels(dashboard.panels)) {
      const { x, y, w, h } = panel.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
      expect(
        w > 0 && h > 0 && x >= 0 && x + w <= 24,
        `panel "${panel.title}" at ${JSON.stringify(panel.gridPos)}`,
      ).toBe(true);
      for (let column = x; column < x + w; column += 1)
        for (let row = y; row < y + h; row += 1) {
          const cell = `${column},${row}`;
          expect(taken.get(cell), `panel "${panel.title}" covers another at ${cell}`).toBeUndefined();
          taken.set(cell, panel.title ?? '');
        }
    }
  });

  it('when its rows are read, then the golden signals, voice, SMS and business rows are there', () => {
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((row) => row.title);
    expect(rows).toEqual(['Golden signals', 'Voice', 'SMS', 'Business']);
  });
});

describe('the Prometheus rules', () => {
  it('when a recording or alert rule is read, then every metric it names is exported or recorded', () => {
    for (const rule of [...recordingRules, ...alertRules])
      expect(unknownNames(rule.expr), `${rule.record ?? rule.alert}: ${rule.expr}`).toEqual([]);
  });

  it('when a rule filters by label, then the metric has that label and the value is one it takes', () => {
    for (const rule of [...recordingRules, ...alertRules])
      expect(wrongMatchers(rule.expr), `${rule.record ?? rule.alert}: ${rule.expr}`).toEqual([]);
  });

  it('when an alert is listed, then it has a severity, a summary, a description and a runbook that exists', () => {
    expect(alertRules.length).toBeGreaterThanOrEqual(9);
    for (const rule of alertRules) {
      expect(['critical', 'warning'], `${rule.alert} severity`).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, `${rule.alert} summary`).toBeTruthy();
      expect(rule.annotations?.description, `${rule.alert} description`).toBeTruthy();
      const runbook = rule.annotations?.runbook_url ?? '';
      expect(runbook, `${rule.alert} runbook_url`).toMatch(/^docs\/runbooks\/[a-z0-9-]+\.md$/);
      expect(existsSync(fileURLToPath(new URL(runbook, ROOT))), `${rule.alert}: ${runbook} is missing`).toBe(true);
    }
  });

  it('when the runbooks are listed, then each belongs to an alert', () => {
    const linked = new Set(alertRules.map((rule) => rule.annotations?.runbook_url));
    const files = readdirSync(fileURLToPath(new URL('docs/runbooks/', ROOT))).filter((file) => file.endsWith('.md'));
    for (const file of files) expect(linked, `docs/runbooks/${file} has no alert`).toContain(`docs/runbooks/${file}`);
  });

  it('when the promtool tests are read, then each alert has one that fires it and one that keeps it quiet', () => {
    const names = new Set(alertRules.map((rule) => rule.alert));
    for (const test of alertTests) expect(names, `a test of an unknown alert`).toContain(test.alertname);
    for (const name of names) {
      const tests = alertTests.filter((test) => test.alertname === name);
      expect(
        tests.some((test) => test.exp_alerts.length > 0),
        `no test makes ${name} fire`,
      ).toBe(true);
      expect(
        tests.some((test) => test.exp_alerts.length === 0),
        `no test keeps ${name} quiet`,
      ).toBe(true);
    }
  });
});

describe('docs/observability.md', () => {
  it('when the catalogue is read, then every PermitLine metric and every alert is in it', async () => {
    const guide = read(new URL('docs/observability.md', ROOT));
    const metrics = await new ServiceMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON();
    for (const metric of metrics)
      expect(guide, `${metric.name} is not in the catalogue`).toContain(`\`${metric.name}\``);
    for (const rule of alertRules) {
      expect(guide, `${rule.alert} is not in the alerts table`).toContain(`\`${rule.alert}\``);
      expect(guide, `${rule.alert}'s runbook is not linked`).toContain(
        `(${rule.annotations!.runbook_url!.replace(/^docs\//, '')})`,
      );
    }
  });
});
