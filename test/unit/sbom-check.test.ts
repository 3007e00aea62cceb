import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSbom } from '../../src/cli/sbom-check.ts';

/**
 * The SBOM checker against this project's own package.json and lock file: a
 * document shaped as cyclonedx-npm writes it passes, and each way it can be
 * wrong is named.
 */

const ROOT = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};

function component(name: string): Record<string, unknown> {
  const version = lock.packages[`node_modules/${name}`]!.version;
  const scoped = /^(@[^/]+)\/(.+)$/.exec(name);
  return {
    type: 'library',
    ...(scoped === null ? { name } : { group: scoped[1], name: scoped[2] }),
    version,
    purl: `pkg:npm/${name.replace('@', '%40')}@${version}`,
  };
}

/** What cyclonedx-npm writes for this project, cut down to what the checker reads. */
function goodSbom(): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'application', name: manifest.name, version: manifest.version } },
    components: Object.keys(manifest.dependencies).map(component),
  };
}

function problemsOf(sbom: unknown): string {
  const result = checkSbom(typeof sbom === 'string' ? sbom : JSON.stringify(sbom), manifest, lock);
  return result.ok ? '' : result.problems.join('\n');
}

describe('checking the SBOM', () => {
  it('when every production dependency is listed at its locked version, then it passes', () => {
    const result = checkSbom(JSON.stringify(goodSbom()), manifest, lock);
    expect(result).toEqual({
      ok: true,
      specVersion: '1.6',
      components: Object.keys(manifest.dependencies).length,
      dependencies: Object.keys(manifest.dependencies).length,
    });
  });

  it('when it is not JSON, or not CycloneDX, or lists nothing, then each is named', () => {
    expect(problemsOf('{"bomFormat": "CycloneDX", ')).toBe('it is not JSON');
    expect(problemsOf({ ...goodSbom(), bomFormat: 'SPDX' })).toContain('bomFormat');
    expect(problemsOf({ ...goodSbom(), specVersion: '2.0' })).toContain('specVersion must be a CycloneDX 1.x version');
    expect(problemsOf({ ...goodSbom(), components: [] })).toContain('components lists no components');
    expect(problemsOf({ ...goodSbom(), metadata: undefined })).toContain('metadata');
  });

  it('when express or twilio is missing, or at another version, then the dependency is named', () => {
    const components = (goodSbom().components as Record<string, unknown>[]).filter((c) => c.name !== 'express');
    expect(problemsOf({ ...goodSbom(), components })).toContain('the production dependency express@');
    const older = (goodSbom().components as Record<string, unknown>[]).map((c) =>
      c.name === 'twilio' ? { ...c, version: '1.0.0' } : c,
    );
    expect(problemsOf({ ...goodSbom(), components: older })).toContain('the production dependency twilio@');
  });

  it('when a dependency is only nested under another component, then it still counts', () => {
    const [first, ...rest] = goodSbom().components as Record<string, unknown>[];
    const nested = rest.map((c, i) => (i === 0 ? { ...c, components: [first] } : c));
    expect(problemsOf({ ...goodSbom(), components: nested })).toBe('');
  });

  it('when a development-only package, a timestamp or a serial number is in it, or it is another project, then it fails', () => {
    const withVitest = [...(goodSbom().components as unknown[]), component('vitest')];
    expect(problemsOf({ ...goodSbom(), components: withVitest })).toContain(
      'the development-only package vitest is listed',
    );
    const stamped = { ...goodSbom(), metadata: { timestamp: '2026-12-01T00:00:00Z', component: manifest } };
    expect(problemsOf(stamped)).toContain('not written with --output-reproducible');
    expect(problemsOf({ ...goodSbom(), serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79' })).toContain(
      '--output-reproducible',
    );
    const other = { ...goodSbom(), metadata: { component: { name: 'someone-else', version: '1.0.0' } } };
    expect(problemsOf(other)).toContain('not this project');
  });
});
