import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNode } from '../support/cli.ts';

/** npm run sbom for real: cyclonedx-npm over this project's lock file, then the check. */

const SBOM_CLI = join(import.meta.dirname, '../../src/cli/sbom.ts');
const WITHOUT_LIBXMLJS2 = join(import.meta.dirname, '../support/without-libxmljs2.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'permitline-sbom-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function writeSbom(name: string, env: Record<string, string> = {}): Promise<string> {
  const output = join(dir, name);
  const finished = await runNode([SBOM_CLI, '--output', output], { HOME: dir, ...env });
  expect(finished.stderr).toBe('');
  expect(finished.code).toBe(0);
  expect(finished.stdout).toContain('SBOM written: CycloneDX 1.6');
  return readFileSync(output, 'utf8');
}

describe('npm run sbom', () => {
  it('when run twice, the second time without libxmljs2, then it writes the same CycloneDX JSON, listing express and twilio and no test tools', async () => {
    const hidden = await runNode(['--import', WITHOUT_LIBXMLJS2, '-e', "require('libxmljs2')"], {});
    expect(hidden.stderr).toContain("Cannot find module 'libxmljs2'");

    const first = await writeSbom('first.cdx.json');
    const second = await writeSbom('second.cdx.json', { NODE_OPTIONS: `--import=${WITHOUT_LIBXMLJS2}` });

    expect(second).toBe(first);
    const sbom = JSON.parse(first) as { bomFormat: string; components: { name: string }[] };
    expect(sbom.bomFormat).toBe('CycloneDX');
    const names = sbom.components.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['express', 'twilio']));
    expect(names).not.toContain('vitest');
  }, 60_000);
});
