import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowProblems } from '../support/workflow-rules.ts';

const ROOT = join(import.meta.dirname, '../..');
const WORKFLOW = readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8');
const CI_RUN = readFileSync(join(ROOT, '.ci/run'), 'utf8');

function problemsWith(from: string | RegExp, to: string): string[] {
  const changed = WORKFLOW.replace(from, to);
  expect(changed, `the workflow no longer contains ${String(from)}`).not.toBe(WORKFLOW);
  return workflowProblems(changed);
}

describe('the GitHub Actions workflow', () => {
  it('keeps every rule: the jobs, pinned actions, least privilege, OIDC only for the plan, plan only', () => {
    expect(workflowProblems(WORKFLOW)).toEqual([]);
  });

  it('runs what .ci/run runs: npm ci, npm test and npm run sbom', () => {
    for (const command of ['npm ci --no-audit --no-fund', 'npm test', 'npm run sbom']) {
      expect(CI_RUN).toContain(command);
      expect(WORKFLOW).toContain(command);
    }
  });

  it('plans with a Terraform release that the configuration accepts (S3 lock files need 1.11 or later)', () => {
    const workflow = parse(WORKFLOW) as { env: { TERRAFORM_VERSION: string } };
    const versions = readFileSync(join(ROOT, 'infrastructure/terraform/versions.tf'), 'utf8');
    expect(versions).toContain('required_version = ">= 1.11.0, < 2.0.0"');
    const [major, minor] = workflow.env.TERRAFORM_VERSION.split('.').map(Number);
    expect(workflow.env.TERRAFORM_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(11);
  });

  it('when an action is pinned to a tag, then that is named', () => {
    // The first checkout is the test job's.
    expect(
      problemsWith('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1', 'actions/checkout@v7'),
    ).toEqual(['job test uses actions/checkout@v7, not pinned to a full commit SHA']);
  });

  it('when a job asks for more than read, or for an OIDC token it does not use, then that is named', () => {
    expect(problemsWith('permissions: {}', 'permissions: write-all')).toEqual([
      'the workflow-wide permissions are not {}: each job must ask for what it needs',
    ]);
    expect(
      problemsWith(/(timeout-minutes: 45\n {4}permissions:\n {6}contents: read)/, '$1\n      id-token: write'),
    ).toEqual(['job test asks for id-token: write but does not use OIDC']);
    expect(problemsWith(/(timeout-minutes: 20\n {4}permissions:\n {6}contents:) read/, '$1 write')).toEqual([
      'job container asks for contents: write; only read is needed',
    ]);
    expect(problemsWith(/\n {6}id-token: write/, '')).toEqual([
      'job plan uses aws-actions/configure-aws-credentials without id-token: write',
    ]);
    expect(
      problemsWith(
        'role-to-assume: ${{ vars.AWS_PLAN_ROLE_ARN }}',
        'aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}',
      ),
    ).toEqual(['job plan passes aws-access-key-id: AWS credentials come from OIDC only']);
  });

  it('when the tests, the audit or the SBOM artifact go missing, then that is named', () => {
    expect(problemsWith(/\n {8}run: npm test\n/, '\n        run: npx vitest run\n')).toEqual([
      'job test does not run npm test',
    ]);
    expect(
      problemsWith('npm audit --omit=dev --audit-level=high\n', 'npm audit --omit=dev --audit-level=critical\n'),
    ).toEqual(['job test does not run npm audit --omit=dev --audit-level=high']);
    expect(problemsWith('npm audit --audit-level=critical\n', 'npm audit --audit-level=low --dry-run\n')).toEqual([
      'job test does not run npm audit of every dependency',
    ]);
    expect(problemsWith(/ {6}- name: Keep the SBOM\n[^]*?retention-days: 90\n/, '')).toEqual([
      'job test does not keep the SBOM as an artifact',
    ]);
  });

  it('when CI would change infrastructure, or plan outside pull requests, then that is named', () => {
    expect(problemsWith('run: terraform plan -input=false', 'run: terraform apply -auto-approve -input=false')).toEqual(
      [
        'job plan does not run terraform plan',
        'job plan changes infrastructure (terraform apply, destroy or import): CI only plans',
      ],
    );
    expect(problemsWith("if: github.event_name == 'pull_request' && ", 'if: ')).toEqual([
      "job plan does not run only on pull requests (if: github.event_name == 'pull_request')",
    ]);
  });

  it('when the image is not scanned or a job can run forever, then that is named', () => {
    expect(problemsWith(/uses: aquasecurity\/trivy-action@.*/, 'run: echo skipped')).toEqual([
      'job container does not scan the image with Trivy',
    ]);
    expect(problemsWith(/\n {4}timeout-minutes: 15/, '')).toEqual(['job terraform sets no timeout-minutes']);
  });
});
