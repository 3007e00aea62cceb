import { z } from 'zod';

/**
 * What makes the SBOM that `npm run sbom` writes a good one, checked against
 * the project's own manifest and lock file rather than a fixed list: it is
 * CycloneDX JSON; its main component is this project; every production
 * dependency in package.json is listed at the version the lock installs; no
 * package that only development needs is listed; and it carries no
 * timestamp or serial number, so the same lock file gives the same file.
 */

interface SbomComponent {
  readonly type: string;
  readonly name: string;
  readonly group?: string | undefined;
  readonly version: string;
  readonly purl?: string | undefined;
  readonly components?: readonly SbomComponent[] | undefined;
}

const componentSchema: z.ZodType<SbomComponent> = z.lazy(() =>
  z.object({
    type: z.string().min(1),
    name: z.string().min(1),
    group: z.string().optional(),
    version: z.string().min(1),
    purl: z.string().startsWith('pkg:npm/').optional(),
    components: z.array(componentSchema).optional(),
  }),
);

const sbomSchema = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string().regex(/^1\.\d+$/, { error: 'must be a CycloneDX 1.x version' }),
  version: z.number().int().min(1),
  serialNumber: z.string().optional(),
  metadata: z.object({
    timestamp: z.string().optional(),
    component: z.object({ name: z.string(), version: z.string() }),
  }),
  components: z.array(componentSchema).min(1, { error: 'lists no components' }),
});

const manifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  dependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()).default({}),
});

const lockSchema = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional(), dev: z.boolean().optional() })),
});

export type SbomCheck =
  | { readonly ok: true; readonly specVersion: string; readonly components: number; readonly dependencies: number }
  | { readonly ok: false; readonly problems: readonly string[] };

/** `sbomText` as written by the tool; `manifest` and `lock` as parsed from package.json and package-lock.json. */
export function checkSbom(sbomText: string, manifest: unknown, lock: unknown): SbomCheck {
  let json: unknown;
  try {
    json = JSON.parse(sbomText);
  } catch {
    return { ok: false, problems: ['it is not JSON'] };
  }
  const parsed = sbomSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'the document'} ${issue.message}`),
    };
  const project = manifestSchema.parse(manifest);
  const packages = lockSchema.parse(lock).packages;
  const sbom = parsed.data;
  const problems: string[] = [];

  const main = sbom.metadata.component;
  if (main.name !== project.name || main.version !== project.version)
    problems.push(
      `its main component is ${main.name}@${main.version}, not this project (${project.name}@${project.version})`,
    );
  if (sbom.serialNumber !== undefined || sbom.metadata.timestamp !== undefined)
    problems.push('it has a serial number or timestamp: it was not written with --output-reproducible');

  const listed = new Set(flatten(sbom.components).map((c) => `${fullName(c)}@${c.version}`));
  const listedNames = new Set(flatten(sbom.components).map(fullName));
  for (const name of Object.keys(project.dependencies)) {
    const installed = packages[`node_modules/${name}`]?.version;
    if (installed === undefined) problems.push(`package-lock.json has no entry for the dependency ${name}`);
    else if (!listed.has(`${name}@${installed}`))
      problems.push(`the production dependency ${name}@${installed} is missing`);
  }
  for (const name of Object.keys(project.devDependencies)) {
    if (packages[`node_modules/${name}`]?.dev === true && listedNames.has(name))
      problems.push(`the development-only package ${name} is listed: it was not written with --omit dev`);
  }
  return problems.length > 0
    ? { ok: false, problems }
    : {
        ok: true,
        specVersion: sbom.specVersion,
        components: listed.size,
        dependencies: Object.keys(project.dependencies).length,
      };
}

function flatten(components: readonly SbomComponent[]): SbomComponent[] {
  return components.flatMap((c) => [c, ...flatten(c.components ?? [])]);
}

/** npm's name: CycloneDX keeps a scope apart, as the group. */
function fullName(component: SbomComponent): string {
  return component.group === undefined || component.group === ''
    ? component.name
    : `${component.group}/${component.name}`;
}
