/** One sample of a Prometheus text exposition: `name{label="value",…} number`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LABEL_PAIR = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a scrape (comments and blank lines skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // prom-client writes no timestamps: the value is what follows the last space.
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const brace = series.indexOf('{');
    const name = brace < 0 ? series : series.slice(0, brace);
    if (space < 0 || !/^[A-Za-z_:][\w:]*$/.test(name)) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (brace < 0 ? '' : series.slice(brace)).matchAll(LABEL_PAIR))
      labels[key ?? ''] = value ?? '';
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  return samples;
}

/** The value of the one sample with this name and these labels (others may exist), or undefined. */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** GET the metrics listener, with a bearer token when given. */
export async function scrape(url: string, token?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
