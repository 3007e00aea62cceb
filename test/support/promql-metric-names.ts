/**
 * The metric names a PromQL expression reads, for the dashboard-consistency
 * test (test/unit/monitoring-dashboard.test.ts). A tokenizer rather than a
 * regular expression: label names inside `{…}` and `by (…)`, function and
 * aggregation names, keywords, durations, numbers, strings and Grafana's
 * `$variables` all look like identifiers or sit next to them, and none of them
 * is a metric. Anything it does not understand is an error, so a query it
 * cannot read fails the test instead of passing unread.
 */

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** Followed by a parenthesised list of label names, which are not metrics. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const OTHER_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

const IDENTIFIER_START = /[A-Za-z_:]/;
const IDENTIFIER_PART = /[A-Za-z0-9_:]/;
// Run on our own dashboard and rule files only, never on input from outside: backtracking cannot hurt.
const NUMBER_OR_DURATION =
  // eslint-disable-next-line security/detect-unsafe-regex
  /^(?:0x[0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)?)/;
const GRAFANA_VARIABLE = /^\$(?:\{[A-Za-z0-9_:.]+\}|[A-Za-z0-9_]+)/;
const OPERATORS = /^(?:==|!=|>=|<=|=~|!~|[-+*/%^<>=,@])/;

export class PromqlReadError extends Error {}

export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** One vector selector: the metric it names (undefined for `{job="x"}` alone) and its label matchers. */
export interface Selector {
  readonly metric: string | undefined;
  readonly matchers: readonly LabelMatcher[];
}

/** Each metric named once, in the order of first use. */
export function metricNamesIn(expr: string): string[] {
  const names = selectorsIn(expr).flatMap((selector) => (selector.metric === undefined ? [] : [selector.metric]));
  return [...new Set(names)];
}

export function selectorsIn(expr: string): Selector[] {
  const selectors: Selector[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new PromqlReadError(`${what} at offset ${i} of: ${expr}`);
  };
  const skipSpace = (): void => {
    while (i < expr.length) {
      if (/\s/.test(expr[i]!)) i += 1;
      else if (expr[i] === '#') while (i < expr.length && expr[i] !== '\n') i += 1;
      else break;
    }
  };
  const readString = (): string => {
    const quote = expr[i]!;
    let value = '';
    i += 1;
    while (i < expr.length && expr[i] !== quote) {
      if (expr[i] === '\\' && quote !== '`') i += 1;
      value += expr[i] ?? '';
      i += 1;
    }
    if (i >= expr.length) fail('unterminated string');
    i += 1;
    return value;
  };
  const readIdentifier = (): string => {
    const start = i;
    while (i < expr.length && IDENTIFIER_PART.test(expr[i]!)) i += 1;
    return expr.slice(start, i);
  };
  /** `{job="x", __name__="m"}`: label matchers; a `__name__` equality names the metric. */
  const readMatchers = (): LabelMatcher[] => {
    const matchers: LabelMatcher[] = [];
    i += 1;
    for (;;) {
      skipSpace();
      if (expr[i] === '}') {
        i += 1;
        return matchers;
      }
      if (!IDENTIFIER_START.test(expr[i] ?? '')) fail('expected a label name');
      const label = readIdentifier();
      skipSpace();
      const op = (/^(?:=~|!~|!=|=)/.exec(expr.slice(i))?.[0] ??
        fail('expected a label matcher operator')) as LabelMatcher['op'];
      i += op.length;
      skipSpace();
      if (!['"', "'", '`'].includes(expr[i] ?? '')) fail('expected a quoted label value');
      matchers.push({ label, op, value: readString() });
      skipSpace();
      if (expr[i] === ',') i += 1;
      else if (expr[i] !== '}') fail('expected , or }');
    }
  };
  /** `[5m]`, `[$__rate_interval]`, `[30m:1m]`: durations only. */
  const readRange = (): void => {
    const close = expr.indexOf(']', i);
    if (close < 0) fail('unterminated [');
    const inside = expr.slice(i + 1, close);
    if (!/^[\s\w$:{}.]*$/.test(inside)) fail('unexpected text in a range');
    i = close + 1;
  };
  /** `(job, le)` after by, without, on, ignoring, group_left, group_right. */
  const readLabelList = (): void => {
    const close = expr.indexOf(')', i);
    if (close < 0) fail('unterminated label list');
    const inside = expr.slice(i + 1, close);
    if (!/^[\s\w,]*$/.test(inside)) fail('unexpected text in a label list');
    i = close + 1;
  };
  const readGrafanaVariable = (): void => {
    const match = GRAFANA_VARIABLE.exec(expr.slice(i)) ?? fail('unexpected $');
    i += match[0].length;
  };

  const addSelector = (metric: string | undefined): void => {
    skipSpace();
    const matchers = expr[i] === '{' ? readMatchers() : [];
    const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
    selectors.push({
      metric: metric ?? byName?.value,
      matchers: matchers.filter((m) => m !== byName),
    });
  };

  for (;;) {
    skipSpace();
    if (i >= expr.length) return selectors;
    const c = expr[i]!;
    const rest = expr.slice(i);
    if (c === '"' || c === "'" || c === '`') {
      readString();
    } else if (c === '{') {
      addSelector(undefined);
    } else if (c === '[') {
      readRange();
    } else if (c === '(' || c === ')') {
      i += 1;
    } else if (c === '$') {
      readGrafanaVariable();
    } else if (NUMBER_OR_DURATION.test(rest) && /[\d.]/.test(c)) {
      i += NUMBER_OR_DURATION.exec(rest)![0].length;
    } else if (IDENTIFIER_START.test(c)) {
      const word = readIdentifier();
      const lower = word.toLowerCase();
      skipSpace();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[i] === '(') readLabelList();
        else if (lower !== 'group_left' && lower !== 'group_right') fail(`expected ( after ${word}`);
      } else if (OTHER_KEYWORDS.has(lower)) {
        // An operator or modifier; its operand is read on the next turn.
      } else if (AGGREGATIONS.has(word) && (expr[i] === '(' || /^(?:by|without)\b/.test(expr.slice(i)))) {
        // An aggregation; its grouping labels are read on the next turn.
      } else if (expr[i] === '(') {
        // A function call: histogram_quantile(, rate(, …
      } else {
        addSelector(word);
      }
    } else {
      const op = OPERATORS.exec(rest) ?? fail(`unexpected character ${JSON.stringify(c)}`);
      i += op[0].length;
    }
  }
}
