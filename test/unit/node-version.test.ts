import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The Node a newcomer is pointed at (.nvmrc) is the major the project pins and runs on. */

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('the Node version', () => {
  it('when a newcomer runs nvm use, then .nvmrc picks the major the project pins and requires', () => {
    const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
    const pinned = (pkg.devDependencies.node ?? '').split('.')[0];
    expect(nvmrc).toBe(pinned);
    expect(pkg.engines.node).toBe(`>=${nvmrc}`);
    expect(process.versions.node.split('.')[0]).toBe(nvmrc);
  });
});
