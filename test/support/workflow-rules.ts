import { parse } from 'yaml';

/**
 * The rules .github/workflows/ci.yml keeps (docs/deploying.md, "CI"), read
 * from the parsed YAML; actionlint cannot be installed here, so this is the
 * workflow's lint. Each problem is one sentence.
 */

const PINNED = /^[\w./-]+@[0-9a-f]{40}$/;
const OIDC_ACTION = 'aws-actions/configure-aws-credentials';

interface Step {
  readonly uses?: unknown;
  readonly run?: unknown;
  readonly with?: unknown;
}

export function workflowProblems(text: string): string[] {
  let workflow: unknown;
  try {
    workflow = parse(text);
  } catch (error) {
    return [`the workflow is not YAML: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : ''}`];
  }
  if (!isRecord(workflow) || !isRecord(workflow.jobs)) return ['the workflow has no jobs'];
  const problems: string[] = [];
  const jobs = workflow.jobs;

  if (!isRecord(workflow.permissions) || Object.keys(workflow.permissions).length > 0)
    problems.push('the workflow-wide permissions are not {}: each job must ask for what it needs');

  for (const [name, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    const steps = (Array.isArray(job.steps) ? job.steps : []).filter(isRecord) as Step[];
    if (typeof job['timeout-minutes'] !== 'number') problems.push(`job ${name} sets no timeout-minutes`);
    for (const step of steps) {
      if (typeof step.uses === 'string' && !PINNED.test(step.uses))
        problems.push(`job ${name} uses ${step.uses}, not pinned to a full commit SHA`);
    }
    const usesOidc = steps.some((s) => typeof s.uses === 'string' && s.uses.startsWith(`${OIDC_ACTION}@`));
    const permissions = job.permissions;
    if (!isRecord(permissions)) {
      problems.push(`job ${name} sets no permissions of its own`);
    } else {
      for (const [scope, level] of Object.entries(permissions)) {
        if (scope === 'id-token' && level === 'write') {
          if (!usesOidc) problems.push(`job ${name} asks for id-token: write but does not use OIDC`);
        } else if (level !== 'read' && level !== 'none') {
          problems.push(`job ${name} asks for ${scope}: ${String(level)}; only read is needed`);
        }
      }
      if (usesOidc && permissions['id-token'] !== 'write')
        problems.push(`job ${name} uses ${OIDC_ACTION} without id-token: write`);
    }
    if (typeof permissions === 'string') problems.push(`job ${name} asks for ${permissions}`);
    for (const step of steps) {
      const withs = isRecord(step.with) ? step.with : {};
      for (const key of ['aws-access-key-id', 'aws-secret-access-key'])
        if (key in withs) problems.push(`job ${name} passes ${key}: AWS credentials come from OIDC only`);
    }
  }

  const runs = (job: string): string[] => {
    const found = jobs[job];
    if (!isRecord(found)) return [];
    return (Array.isArray(found.steps) ? found.steps : [])
      .filter(isRecord)
      .flatMap((s) => (typeof s.run === 'string' ? [s.run] : []));
  };
  const usesIn = (job: string): string[] => {
    const found = jobs[job];
    if (!isRecord(found)) return [];
    return (Array.isArray(found.steps) ? found.steps : [])
      .filter(isRecord)
      .flatMap((s) => (typeof s.uses === 'string' ? [s.uses] : []));
  };
  const expectRun = (job: string, command: RegExp, what: string) => {
    if (!(job in jobs)) return;
    if (!runs(job).some((r) => command.test(r))) problems.push(`job ${job} does not run ${what}`);
  };

  for (const job of ['test', 'container', 'terraform', 'plan'])
    if (!(job in jobs)) problems.push(`there is no ${job} job`);
  expectRun('test', /^npm ci\b/m, 'npm ci');
  expectRun('test', /^npm test$/m, 'npm test');
  expectRun('test', /^npm audit --omit=dev --audit-level=high$/m, 'npm audit --omit=dev --audit-level=high');
  expectRun('test', /^npm audit --audit-level=(high|critical)$/m, 'npm audit of every dependency');
  expectRun('test', /^npm run sbom$/m, 'npm run sbom');
  if ('test' in jobs && !usesIn('test').some((u) => u.startsWith('actions/upload-artifact@')))
    problems.push('job test does not keep the SBOM as an artifact');
  expectRun('container', /^docker build\b/m, 'docker build');
  if ('container' in jobs && !usesIn('container').some((u) => u.startsWith('aquasecurity/trivy-action@')))
    problems.push('job container does not scan the image with Trivy');
  expectRun('terraform', /\bfmt -check\b/, 'terraform fmt -check');
  expectRun('terraform', /\bvalidate\b/, 'terraform validate');
  expectRun('plan', /\bterraform plan\b/, 'terraform plan');

  const plan = jobs.plan;
  if (isRecord(plan) && (typeof plan.if !== 'string' || !plan.if.includes("github.event_name == 'pull_request'")))
    problems.push("job plan does not run only on pull requests (if: github.event_name == 'pull_request')");
  for (const job of Object.keys(jobs))
    if (runs(job).some((r) => /\bterraform\b.*\b(apply|destroy|import)\b/.test(r)))
      problems.push(`job ${job} changes infrastructure (terraform apply, destroy or import): CI only plans`);
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
