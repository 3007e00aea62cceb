import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  parseTerraform,
  readTerraformFiles,
  terraformProblems,
  type ParsedTerraform,
} from '../support/terraform-rules.ts';

const ROOT = join(import.meta.dirname, '../..');
const TERRAFORM = join(ROOT, 'infrastructure/terraform');

// Parsing is WebAssembly and async: the files are parsed once here, and each
// test below re-parses only the one copy it changed.
let base: ParsedTerraform;
beforeAll(async () => {
  base = await parseTerraform(readTerraformFiles(TERRAFORM));
});

type Change = readonly [file: string, from: string | RegExp, to: string];

async function problemsAfter(...changes: Change[]): Promise<string[]> {
  const files = new Map(base.files);
  for (const [file, from, to] of changes) {
    const before = files.get(file) ?? '';
    const after = before.replace(from, to);
    expect(after, `${file} no longer contains ${String(from)}`).not.toBe(before);
    files.set(file, after);
  }
  return terraformProblems(await parseTerraform(files, base));
}

async function problemsWithFile(file: string, text: string): Promise<string[]> {
  const files = new Map(base.files);
  files.set(file, text);
  return terraformProblems(await parseTerraform(files, base));
}

describe('the Terraform configuration', () => {
  it('parses, every file, and keeps every rule', () => {
    const tf = [...base.files.keys()].filter((f) => f.endsWith('.tf'));
    expect(tf.length).toBeGreaterThan(20);
    expect([...base.unparsable.keys()]).toEqual([]);
    expect(terraformProblems(base)).toEqual([]);
  });

  it('when a provider floats, or a module uses a provider it does not declare, then that is named', async () => {
    expect(await problemsAfter(['versions.tf', '"= 5.100.0"', '"~> 5.100"'])).toEqual([
      'versions.tf: provider aws is not pinned to an exact version ("~> 5.100"): use "= x.y.z", there is no lock file',
    ]);
    expect(await problemsAfter(['bootstrap/main.tf', /\n\s*version = "= 5\.100\.0"/, ''])).toEqual([
      'bootstrap/main.tf: provider aws has no version: pin it with "= x.y.z"',
    ]);
    expect(await problemsAfter(['versions.tf', /required_version = .*\n/, ''])).toEqual([
      'versions.tf: the root module sets no required_version',
    ]);
    expect(await problemsAfter(['modules/twilio-number/versions.tf', /twilio = \{[^}]*\}/, ''])).toEqual([
      'modules/twilio-number/main.tf: twilio_api_accounts_incoming_phone_numbers needs provider twilio, which modules/twilio-number does not declare in required_providers',
    ]);
  });

  it('when the state is not in S3 or not locked, then that is named', async () => {
    expect(await problemsAfter(['versions.tf', 'use_lockfile = true', 'use_lockfile = false'])).toEqual([
      'versions.tf: the s3 backend does not set use_lockfile = true: two applies could run at once',
    ]);
    expect(await problemsAfter(['versions.tf', /backend "s3" \{[^}]*\}/, ''])).toEqual([
      'versions.tf: the root module has no backend "s3": its state would be local',
    ]);
    expect(
      await problemsAfter(['bootstrap/main.tf', 'status = "Enabled"\n  }\n}', 'status = "Suspended"\n  }\n}']),
    ).toEqual(['bootstrap: the state bucket has no versioning with status "Enabled"']);
  });

  it('when a reference names nothing declared, or a module call misses a required variable, then that is named', async () => {
    expect(await problemsAfter(['main.tf', 'id = var.twilio_phone_number_sid', 'id = var.twilio_number_sid'])).toEqual([
      'main.tf: var.twilio_number_sid is not a variable of the root module',
    ]);
    expect(
      await problemsAfter([
        'modules/runtime/main.tf',
        'target_group_arn = aws_lb_target_group.this.arn\n  }\n}',
        'target_group_arn = aws_lb_target_group.main.arn\n  }\n}',
      ]),
    ).toEqual(['modules/runtime/main.tf: aws_lb_target_group.main is not a resource of modules/runtime']);
    expect(
      await problemsAfter(['main.tf', 'module.fallback_twiml.url\n}', 'module.fallback_twiml.address\n}']),
    ).toEqual(['main.tf: module.fallback_twiml.address is not an output of modules/fallback-twiml']);
    expect(
      await problemsAfter(['modules/runtime/main.tf', 'local.alb_idle_timeout_seconds', 'local.idle_timeout']),
    ).toContain('modules/runtime/main.tf: local.idle_timeout is not a local value of modules/runtime');
    expect(
      await problemsAfter([
        'main.tf',
        '"${var.s3_bucket_prefix}-${local.name}-recordings"\n  retention_days = var.retention_days',
        '"${var.s3_bucket_prefix}-${local.name}-recordings"',
      ]),
    ).toEqual([
      'main.tf: module recordings_bucket does not pass retention_days, which modules/recordings-bucket requires',
      "main.tf: module recordings_bucket is not given var.retention_days, the service's RETENTION_DAYS, as retention_days",
    ]);
    expect(
      await problemsAfter([
        'main.tf',
        'retention_days = var.retention_days\n}',
        'retention_days = var.retention_days\n  days = 1\n}',
      ]),
    ).toEqual(['main.tf: module recordings_bucket passes days, which modules/recordings-bucket does not declare']);
  });

  it('when an environment leaves a required variable unset, sets an undeclared one or keeps no state of its own, then that is named', async () => {
    expect(await problemsAfter(['environments/staging.tfvars', /turso_location .*\n/, ''])).toEqual([
      'environments/staging.tfvars does not set turso_location, which the root module requires',
    ]);
    expect(await problemsAfter(['environments/prod.tfvars', 'retention_days = 90', 'retention_day = 90'])).toEqual([
      'environments/prod.tfvars sets retention_day, which the root module does not declare',
    ]);
    expect(await problemsAfter(['environments/dev.tfvars', 'environment = "dev"', 'environment = "prod"'])).toEqual([
      'environments/dev.tfvars sets environment = "prod", not "dev"',
    ]);
    expect(await problemsAfter(['environments/dev.s3.tfbackend', 'permitline/dev/', 'permitline/'])).toEqual([
      "environments/dev.s3.tfbackend: key must keep dev's state apart, e.g. permitline/dev/terraform.tfstate",
    ]);
  });

  it('when a webhook is plain http, on the wrong path, or the fallback URL is missing, then that is named', async () => {
    const number = 'modules/twilio-number/main.tf';
    const address = 'twilio_api_accounts_incoming_phone_numbers.department';
    expect(
      await problemsAfter([
        number,
        '"${var.public_base_url}/twilio/voice"',
        '"http://permits.example.org/twilio/voice"',
      ]),
    ).toEqual([`${number}: ${address} voice_url is not https:// (http://permits.example.org/twilio/voice)`]);
    expect(await problemsAfter([number, /\n\s*voice_fallback_url\s+= var\.voice_fallback_url/, ''])).toEqual([
      `${number}: ${address} sets no voice_fallback_url`,
    ]);
    expect(await problemsAfter([number, 'voice_fallback_method = "GET"', 'voice_fallback_method = "POST"'])).toEqual([
      `${number}: ${address} voice_fallback_method must be GET, not POST`,
    ]);
    expect(await problemsAfter([number, '/twilio/sms"', '/sms"'])).toEqual([
      `${number}: ${address} sms_url does not end with /twilio/sms (\${var.public_base_url}/sms)`,
    ]);
    // A variable counts as https only when its validation demands it.
    expect(
      await problemsAfter([
        'modules/twilio-number/variables.tf',
        'startswith(var.public_base_url, "https://") && ',
        '',
      ]),
    ).toEqual([
      `${number}: ${address} voice_url is not https:// (\${var.public_base_url}/twilio/voice)`,
      `${number}: ${address} status_callback is not https:// (\${var.public_base_url}/twilio/voice/status)`,
      `${number}: ${address} sms_url is not https:// (\${var.public_base_url}/twilio/sms)`,
    ]);
  });

  it('when the number could be destroyed or is not imported, then that is named', async () => {
    const number = 'modules/twilio-number/main.tf';
    expect(await problemsAfter([number, '\n  lifecycle {\n    prevent_destroy = true\n  }', ''])).toEqual([
      `${number}: twilio_api_accounts_incoming_phone_numbers.department has no lifecycle prevent_destroy = true: a plan could release the department's number`,
    ]);
    expect(await problemsAfter(['main.tf', /import \{[^}]*\}/, ''])).toEqual([
      `${number}: twilio_api_accounts_incoming_phone_numbers.department has no import block: the first apply would buy a new number`,
    ]);
  });

  it('when the ALB, the target group or the container stop too soon for a call, then that is named', async () => {
    const runtime = 'modules/runtime/main.tf';
    const template = 'modules/runtime/container-definition.json.tftpl';
    expect(await problemsAfter([runtime, 'alb_idle_timeout_seconds = 300', 'alb_idle_timeout_seconds = 60'])).toEqual([
      `${runtime}: aws_lb.this idle_timeout is 60 s, outside 300-4000 s`,
    ]);
    expect(await problemsAfter([runtime, /\n\s*idle_timeout\s+= local\.alb_idle_timeout_seconds/, ''])).toContain(
      `${runtime}: aws_lb.this sets no idle_timeout: the default 60 s would cut a silent call`,
    );
    expect(
      await problemsAfter([runtime, 'deregistration_delay_seconds = 3600', 'deregistration_delay_seconds = 300']),
    ).toEqual([`${runtime}: aws_lb_target_group.this deregistration_delay is 300 s, outside 1800-3600 s`]);
    expect(
      await problemsAfter([runtime, 'path                = "/health/ready"', 'path                = "/health/live"']),
    ).toEqual([`${runtime}: aws_lb_target_group.this health check does not ask /health/ready`]);
    expect(await problemsAfter([template, '"stopTimeout": 120', '"stopTimeout": 180'])).toEqual([
      `${template}: the container stopTimeout is 180 s; Fargate allows 1-120`,
    ]);
    expect(
      await problemsAfter([template, '"DRAIN_TIMEOUT_MS", "value": "100000"', '"DRAIN_TIMEOUT_MS", "value": "120000"']),
    ).toEqual([
      `${template}: the container DRAIN_TIMEOUT_MS 120000 is not below stopTimeout 120 s x 1000: SIGKILL would cut the drain`,
    ]);
    expect(await problemsAfter([template, /\s*\{ "name": "DRAIN_TIMEOUT_MS"[^}]*\},/, ''])).toEqual([
      `${template}: the container sets no numeric DRAIN_TIMEOUT_MS: the service's default 300000 outlasts any stopTimeout`,
    ]);
  });

  it('when Fargate Spot appears, then that is named', async () => {
    const runtime = 'modules/runtime/main.tf';
    expect(
      await problemsAfter([
        runtime,
        'capacity_providers = ["FARGATE"]',
        'capacity_providers = ["FARGATE", "FARGATE_SPOT"]',
      ]),
    ).toEqual([
      `${runtime} uses FARGATE_SPOT`,
      `${runtime}: aws_ecs_cluster_capacity_providers.this offers capacity providers other than FARGATE`,
    ]);
    expect(
      await problemsAfter([
        runtime,
        /(resource "aws_ecs_service"[^]*?capacity_provider = )"FARGATE"/,
        '$1"FARGATE_SPOT"',
      ]),
    ).toEqual([`${runtime} uses FARGATE_SPOT`, `${runtime}: aws_ecs_service.this uses capacity provider FARGATE_SPOT`]);
  });

  it('when a credential is written into a file, or a secret travels as plain environment, then that is named', async () => {
    expect(
      await problemsAfter([
        'providers.tf',
        'provider "twilio" {}',
        'provider "twilio" {\n  password = "0123456789abcdef0123456789abcdef"\n}',
      ]),
    ).toEqual([
      'providers.tf:19 holds what looks like a Twilio auth token (32 hex digits): credentials never go in these files',
      'providers.tf:19 holds what looks like a literal secret assigned to an attribute: credentials never go in these files',
    ]);
    expect(
      await problemsAfter([
        'environments/prod.tfvars',
        'retention_days = 90',
        'retention_days = 90\n# AKIAIOSFODNN7EXAMPLE',
      ]),
    ).toEqual([
      'environments/prod.tfvars:26 holds what looks like an AWS access key ID: credentials never go in these files',
    ]);
    const template = 'modules/runtime/container-definition.json.tftpl';
    expect(
      await problemsAfter([
        template,
        '{ "name": "TRUST_PROXY", "value": "1" },',
        '{ "name": "TRUST_PROXY", "value": "1" },\n      { "name": "DATABASE_AUTH_TOKEN", "value": "eyJhbGciOiJFZERTQSJ9.eyJhIjoicnciLCJpYXQiOjF9.c2ln" },',
      ]),
    ).toEqual([
      `${template}: the container puts DATABASE_AUTH_TOKEN in environment: secrets come from Secrets Manager (secrets, valueFrom)`,
      `${template}:17 holds what looks like a JWT (a Turso token): credentials never go in these files`,
    ]);
  });

  it('when an output carries a sensitive value unmarked, then that is named', async () => {
    const outputs = 'modules/turso/outputs.tf';
    const sensitiveVariable =
      'variable "seed_token" {\n  type      = string\n  sensitive = true\n  default   = null\n}\n';
    expect(
      await problemsAfter(
        ['modules/turso/variables.tf', /^/, sensitiveVariable],
        [outputs, /^/, 'output "seed" {\n  value = var.seed_token\n}\n'],
      ),
    ).toEqual([`${outputs}: output seed carries a sensitive value but is not marked sensitive = true`]);
    expect(
      await problemsAfter(
        ['modules/turso/variables.tf', /^/, sensitiveVariable],
        [outputs, /^/, 'output "seed" {\n  value     = var.seed_token\n  sensitive = true\n}\n'],
      ),
    ).toEqual([]);
  });

  it('when a port other than HTTPS and the redirect faces the internet, or a role may read any secret, then that is named', async () => {
    const runtime = 'modules/runtime/main.tf';
    expect(
      await problemsAfter([
        runtime,
        'cidr_ipv4         = data.aws_vpc.this.cidr_block',
        'cidr_ipv4         = "0.0.0.0/0"',
      ]),
    ).toEqual([
      `${runtime}: aws_vpc_security_group_ingress_rule.metrics_from_vpc opens port 9464-9464 to the internet`,
    ]);
    expect(
      await problemsAfter([
        runtime,
        'resources = [for secret in aws_secretsmanager_secret.this : secret.arn]',
        'resources = ["*"]',
      ]),
    ).toEqual([
      `${runtime}: data.aws_iam_policy_document.read_secrets lets the role read any secret: name the secrets' ARNs`,
    ]);
  });

  it('when the recordings bucket could be public, unencrypted, or keep recordings past retention, then that is named', async () => {
    const bucket = 'modules/recordings-bucket/main.tf';
    expect(await problemsAfter([bucket, 'restrict_public_buckets = true', 'restrict_public_buckets = false'])).toEqual([
      `${bucket}: the recordings bucket does not set restrict_public_buckets = true: recordings must never be public`,
    ]);
    expect(
      await problemsAfter([bucket, /resource "aws_s3_bucket_server_side_encryption_configuration"[^]*?\n\}\n/, '']),
    ).toEqual([`${bucket}: the recordings bucket has no server-side encryption`]);
    expect(await problemsAfter([bucket, 'days = var.retention_days', 'days = 3650'])).toEqual([
      `${bucket}: no enabled lifecycle rule expires recordings after var.retention_days`,
    ]);
    expect(
      await problemsAfter([
        'main.tf',
        '-recordings"\n  retention_days = var.retention_days',
        '-recordings"\n  retention_days = 3650',
      ]),
    ).toEqual([
      "main.tf: module recordings_bucket is not given var.retention_days, the service's RETENTION_DAYS, as retention_days",
    ]);
  });

  it('reports a file that does not parse instead of passing it over', async () => {
    expect(await problemsWithFile('modules/turso/main.tf', 'resource "turso_group" {')).toEqual([
      expect.stringMatching(/^modules\/turso\/main\.tf does not parse: /),
      // The module's outputs now name a resource that is gone.
      'modules/turso/outputs.tf: turso_database.this is not a resource of modules/turso',
    ]);
  });
});

describe('what the Terraform points at exists in the service', () => {
  it('the number webhooks are routes of the service, and the fallback TwiML is the repository file', () => {
    const voice = readFileSync(join(ROOT, 'src/call/voice-webhooks.ts'), 'utf8');
    const sms = readFileSync(join(ROOT, 'src/sms/sms-routes.ts'), 'utf8');
    expect(voice).toContain("router.post('/twilio/voice',");
    expect(voice).toContain("router.post('/twilio/voice/status',");
    expect(sms).toContain("router.post('/twilio/sms',");
    const main = base.files.get('main.tf') ?? '';
    const fallback = /fallback_twiml = "\$\{path\.root\}\/([^"]+)"/.exec(main)?.[1];
    expect(fallback).toBe('../../twiml/fallback.xml');
    expect(existsSync(join(TERRAFORM, fallback!))).toBe(true);
  });
});
