import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from '@cdktn/hcl2json';

/**
 * The rules infrastructure/terraform must keep (docs/deploying.md), checked
 * offline: no terraform binary can run in CI's sandbox, so every `.tf`,
 * `.tfvars` and `.tfbackend` file is parsed with HashiCorp's HCL parser (as
 * WebAssembly) and the parsed form is read. Each problem is one sentence that
 * names the file and what is wrong.
 */

/** Relative path (posix, from infrastructure/terraform) → text. */
export type TerraformFiles = ReadonlyMap<string, string>;

export interface ParsedTerraform {
  readonly files: TerraformFiles;
  /** The parsed JSON form of every HCL file that parsed. */
  readonly parsed: ReadonlyMap<string, Record<string, unknown>>;
  /** Files that did not parse, with the parser's message. */
  readonly unparsable: ReadonlyMap<string, string>;
}

/** The bounds the runtime's timeouts must keep (docs/deploying.md, "Stopping a task without cutting a call"). */
export const TIMING = {
  /** The longest silence on a connection we expect; the ALB must not close it before. */
  minIdleTimeoutSeconds: 300,
  maxIdleTimeoutSeconds: 4000,
  /** Calls last up to about 30 minutes; ALB allows at most 3600. */
  minDeregistrationDelaySeconds: 1800,
  maxDeregistrationDelaySeconds: 3600,
  /** Fargate sends SIGKILL at most 120 s after SIGTERM. */
  maxFargateStopTimeoutSeconds: 120,
} as const;

const HCL_FILE = /\.(tf|tfvars|tfbackend)$/;
const TEXT_FILE = /\.(tf|tfvars|tfbackend|tftpl|example)$/;

export function readTerraformFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      if (entry.name === '.terraform') continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (TEXT_FILE.test(entry.name)) files.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  walk('');
  return files;
}

/** Parses every HCL file; files whose text is the same as in `previous` are not parsed again. */
export async function parseTerraform(files: TerraformFiles, previous?: ParsedTerraform): Promise<ParsedTerraform> {
  const parsed = new Map<string, Record<string, unknown>>();
  const unparsable = new Map<string, string>();
  for (const [path, text] of files) {
    if (!HCL_FILE.test(path)) continue;
    const earlier = previous?.files.get(path) === text ? previous.parsed.get(path) : undefined;
    if (earlier !== undefined) {
      parsed.set(path, earlier);
      continue;
    }
    try {
      const json: unknown = await parse(posix.basename(path), text);
      parsed.set(path, isRecord(json) ? json : {});
    } catch (error) {
      unparsable.set(path, error instanceof Error ? error.message : String(error));
    }
  }
  return { files, parsed, unparsable };
}

// --- The configuration as modules ---------------------------------------------

interface Located {
  readonly file: string;
  readonly body: Record<string, unknown>;
}

interface Module {
  readonly dir: string;
  readonly variables: Map<string, Located>;
  readonly locals: Map<string, { file: string; value: unknown }>;
  readonly resources: Map<string, Located & { type: string }>;
  readonly data: Map<string, Located & { type: string }>;
  readonly calls: Map<string, Located>;
  readonly outputs: Map<string, Located>;
  readonly terraform: Located[];
  readonly imports: Located[];
}

function modulesOf(t: ParsedTerraform): Map<string, Module> {
  const modules = new Map<string, Module>();
  for (const [file, json] of t.parsed) {
    if (!file.endsWith('.tf')) continue;
    const dir = posix.dirname(file);
    let m = modules.get(dir);
    if (m === undefined) {
      m = {
        dir,
        variables: new Map(),
        locals: new Map(),
        resources: new Map(),
        data: new Map(),
        calls: new Map(),
        outputs: new Map(),
        terraform: [],
        imports: [],
      };
      modules.set(dir, m);
    }
    for (const [name, body] of named(json.variable)) m.variables.set(name, { file, body });
    for (const block of records(json.locals))
      for (const [name, value] of Object.entries(block)) m.locals.set(name, { file, value });
    for (const [type, byName] of Object.entries(isRecord(json.resource) ? json.resource : {}))
      for (const [name, body] of named(byName)) m.resources.set(`${type}.${name}`, { file, body, type });
    for (const [type, byName] of Object.entries(isRecord(json.data) ? json.data : {}))
      for (const [name, body] of named(byName)) m.data.set(`${type}.${name}`, { file, body, type });
    for (const [name, body] of named(json.module)) m.calls.set(name, { file, body });
    for (const [name, body] of named(json.output)) m.outputs.set(name, { file, body });
    for (const body of records(json.terraform)) m.terraform.push({ file, body });
    for (const body of records(json.import)) m.imports.push({ file, body });
  }
  return modules;
}

/** The directory a `source = "./…"` of a module in `dir` names. */
function calledDir(dir: string, call: Located): string | undefined {
  const source = call.body.source;
  if (typeof source !== 'string' || !source.startsWith('.')) return undefined;
  return posix.normalize(posix.join(dir, source));
}

function childDirs(modules: Map<string, Module>): Set<string> {
  const children = new Set<string>();
  for (const m of modules.values())
    for (const call of m.calls.values()) {
      const dir = calledDir(m.dir, call);
      if (dir !== undefined) children.add(dir);
    }
  return children;
}

// --- The rules ------------------------------------------------------------------

export function terraformProblems(t: ParsedTerraform): string[] {
  const problems: string[] = [];
  for (const [file, message] of t.unparsable) problems.push(`${file} does not parse: ${firstLine(message)}`);
  const modules = modulesOf(t);
  const children = childDirs(modules);
  problems.push(
    ...providerProblems(modules, children),
    ...backendProblems(modules, children),
    ...referenceProblems(modules),
    ...tfvarsProblems(t, modules),
    ...twilioNumberProblems(modules),
    ...timingProblems(t, modules),
    ...spotProblems(t, modules),
    ...exposureProblems(modules),
    ...recordingsBucketProblems(modules),
    ...credentialProblems(t),
    ...sensitiveOutputProblems(modules),
  );
  return problems;
}

const EXACT_VERSION = /^=\s*\d+\.\d+\.\d+$/;

/** Root modules pin every provider exactly and say which Terraform they need; child modules name each provider's source. */
function providerProblems(modules: Map<string, Module>, children: Set<string>): string[] {
  const problems: string[] = [];
  for (const m of modules.values()) {
    const root = !children.has(m.dir);
    const declared = new Map<string, { file: string; spec: unknown }>();
    for (const block of m.terraform)
      for (const providers of records(block.body.required_providers))
        for (const [name, spec] of Object.entries(providers)) declared.set(name, { file: block.file, spec });
    const where = m.terraform[0]?.file ?? `${m.dir}/`;
    if (root && !m.terraform.some((b) => typeof b.body.required_version === 'string'))
      problems.push(`${where}: ${label(m.dir)} sets no required_version`);
    for (const [name, { file, spec }] of declared) {
      const source = isRecord(spec) ? spec.source : undefined;
      const version = isRecord(spec) ? spec.version : undefined;
      if (typeof source !== 'string') problems.push(`${file}: provider ${name} has no source`);
      if (root && version === undefined)
        problems.push(`${file}: provider ${name} has no version: pin it with "= x.y.z"`);
      else if (version !== undefined && !(typeof version === 'string' && EXACT_VERSION.test(version)))
        problems.push(
          `${file}: provider ${name} is not pinned to an exact version (${JSON.stringify(version)}): use "= x.y.z", there is no lock file`,
        );
    }
    for (const r of [...m.resources.values(), ...m.data.values()]) {
      const provider = r.type.split('_')[0] ?? r.type;
      if (!declared.has(provider))
        problems.push(
          `${r.file}: ${r.type} needs provider ${provider}, which ${label(m.dir)} does not declare in required_providers`,
        );
    }
  }
  return problems;
}

/** Every root but the state bootstrap keeps its state in S3, locked by an S3 lock file. */
function backendProblems(modules: Map<string, Module>, children: Set<string>): string[] {
  const problems: string[] = [];
  for (const m of modules.values()) {
    if (children.has(m.dir)) continue;
    if (posix.basename(m.dir) === 'bootstrap') {
      const versioning = [...m.resources.values()].filter((r) => r.type === 'aws_s3_bucket_versioning');
      const enabled = versioning.some((r) =>
        records(r.body.versioning_configuration).some((c) => c.status === 'Enabled'),
      );
      if (!enabled) problems.push(`${label(m.dir)}: the state bucket has no versioning with status "Enabled"`);
      continue;
    }
    const s3 = m.terraform.flatMap((b) =>
      records(isRecord(b.body.backend) ? b.body.backend.s3 : undefined).map((body) => ({ file: b.file, body })),
    );
    const where = m.terraform[0]?.file ?? m.dir;
    if (s3.length === 0) problems.push(`${where}: ${label(m.dir)} has no backend "s3": its state would be local`);
    else if (!s3.some((b) => b.body.use_lockfile === true))
      problems.push(
        `${s3[0]?.file ?? where}: the s3 backend does not set use_lockfile = true: two applies could run at once`,
      );
  }
  return problems;
}

const META_ARGUMENTS = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);

/** Every var., local., module., data. and resource reference names something declared; module calls pass what is required. */
function referenceProblems(modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  for (const m of modules.values()) {
    const blocks: Located[] = [
      ...m.variables.values(),
      ...m.resources.values(),
      ...m.data.values(),
      ...m.calls.values(),
      ...m.outputs.values(),
      ...m.imports,
      ...[...m.locals.values()].map((l) => ({ file: l.file, body: { value: l.value } })),
    ];
    const seen = new Set<string>();
    for (const block of blocks) {
      for (const text of strings(block.body)) {
        for (const ref of references(text)) {
          const problem = unresolved(ref, m, modules);
          const line = problem === undefined ? undefined : `${block.file}: ${problem}`;
          if (line !== undefined && !seen.has(line)) {
            seen.add(line);
            problems.push(line);
          }
        }
      }
    }
    for (const [name, call] of m.calls) {
      const dir = calledDir(m.dir, call);
      const callee = dir === undefined ? undefined : modules.get(dir);
      if (callee === undefined) {
        problems.push(`${call.file}: module ${name} calls ${String(call.body.source)}, which has no .tf files`);
        continue;
      }
      for (const [variable, declaration] of callee.variables)
        if (!('default' in declaration.body) && !(variable in call.body))
          problems.push(`${call.file}: module ${name} does not pass ${variable}, which ${label(callee.dir)} requires`);
      for (const argument of Object.keys(call.body))
        if (!META_ARGUMENTS.has(argument) && !callee.variables.has(argument))
          problems.push(`${call.file}: module ${name} passes ${argument}, which ${label(callee.dir)} does not declare`);
    }
  }
  return problems;
}

type Reference =
  | { kind: 'var' | 'local'; name: string }
  | { kind: 'module'; name: string; output: string | undefined; resource: string | undefined }
  | { kind: 'data' | 'resource'; address: string };

function unresolved(ref: Reference, m: Module, modules: Map<string, Module>): string | undefined {
  switch (ref.kind) {
    case 'var':
      return m.variables.has(ref.name) ? undefined : `var.${ref.name} is not a variable of ${label(m.dir)}`;
    case 'local':
      return m.locals.has(ref.name) ? undefined : `local.${ref.name} is not a local value of ${label(m.dir)}`;
    case 'data':
      return m.data.has(ref.address) ? undefined : `data.${ref.address} is not declared in ${label(m.dir)}`;
    case 'resource':
      return m.resources.has(ref.address) ? undefined : `${ref.address} is not a resource of ${label(m.dir)}`;
    case 'module': {
      const call = m.calls.get(ref.name);
      if (call === undefined) return `module.${ref.name} is not a module call of ${label(m.dir)}`;
      const dir = calledDir(m.dir, call);
      const callee = dir === undefined ? undefined : modules.get(dir);
      if (callee === undefined || ref.output === undefined) return undefined;
      // module.X.TYPE.NAME (an import block's address) names a resource inside the module.
      if (callee.outputs.has(ref.output) || (ref.resource !== undefined && callee.resources.has(ref.resource)))
        return undefined;
      return `module.${ref.name}.${ref.output} is not an output of ${label(callee.dir)}`;
    }
  }
}

/** The references in one string of the parsed form: only inside ${…}, never inside quoted literals. */
export function references(text: string): Reference[] {
  const found: Reference[] = [];
  for (const body of interpolations(text)) {
    const code = body.replace(/"(?:[^"\\$]|\\.|\$(?!\{))*"/g, '""');
    for (const match of code.matchAll(/(?<![\w.])(var|local|module|data)\.([\w.-]+)/g)) {
      const kind = match[1];
      const [name = '', second, third] = (match[2] ?? '').split('.');
      if (kind === 'var' || kind === 'local') found.push({ kind, name });
      else if (kind === 'module')
        found.push({
          kind,
          name,
          output: second,
          resource: third === undefined ? undefined : `${second ?? ''}.${third}`,
        });
      else if (second !== undefined) found.push({ kind: 'data', address: `${name}.${second}` });
    }
    for (const match of code.matchAll(/(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g)) {
      const [, type = '', name = ''] = match;
      found.push({ kind: 'resource', address: `${type}.${name}` });
    }
  }
  return found;
}

function interpolations(text: string): string[] {
  const bodies: string[] = [];
  let at = text.indexOf('${');
  while (at !== -1) {
    let depth = 1;
    let i = at + 2;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    bodies.push(text.slice(at + 2, i - 1));
    at = text.indexOf('${', i);
  }
  return bodies;
}

/** Every environments/*.tfvars sets every required variable of its root, nothing undeclared, and its own environment. */
function tfvarsProblems(t: ParsedTerraform, modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  const tfvars = [...t.parsed.keys()].filter((f) => f.endsWith('.tfvars'));
  if (tfvars.length === 0) problems.push('there are no environments/*.tfvars files');
  for (const file of tfvars) {
    const root = modules.get(posix.dirname(posix.dirname(file)));
    const values = t.parsed.get(file) ?? {};
    if (root === undefined) {
      problems.push(`${file}: no root module in the directory above it`);
      continue;
    }
    for (const [name, declaration] of root.variables)
      if (!('default' in declaration.body) && !(name in values))
        problems.push(`${file} does not set ${name}, which ${label(root.dir)} requires`);
    for (const name of Object.keys(values))
      if (!root.variables.has(name)) problems.push(`${file} sets ${name}, which ${label(root.dir)} does not declare`);
    const environment = posix.basename(file, '.tfvars');
    if (values.environment !== undefined && values.environment !== environment)
      problems.push(`${file} sets environment = ${JSON.stringify(values.environment)}, not "${environment}"`);
    const backend = file.replace(/\.tfvars$/, '.s3.tfbackend');
    const settings = t.parsed.get(backend);
    if (settings === undefined) problems.push(`${file} has no ${posix.basename(backend)} beside it for terraform init`);
    else if (typeof settings.key !== 'string' || !settings.key.includes(`/${environment}/`))
      problems.push(
        `${backend}: key must keep ${environment}'s state apart, e.g. permitline/${environment}/terraform.tfstate`,
      );
  }
  return problems;
}

const NUMBER_RESOURCE = 'twilio_api_accounts_incoming_phone_numbers';
const WEBHOOKS: Readonly<Record<string, { path?: string; method?: readonly [string, string] }>> = {
  voice_url: { path: '/twilio/voice', method: ['voice_method', 'POST'] },
  voice_fallback_url: { method: ['voice_fallback_method', 'GET'] },
  status_callback: { path: '/twilio/voice/status', method: ['status_callback_method', 'POST'] },
  sms_url: { path: '/twilio/sms', method: ['sms_method', 'POST'] },
};

/** The department's number: imported, never destroyed, every webhook on https and the service's own paths. */
function twilioNumberProblems(modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  const numbers = [...modules.values()].flatMap((m) =>
    [...m.resources.entries()].filter(([, r]) => r.type === NUMBER_RESOURCE).map(([address, r]) => ({ m, address, r })),
  );
  if (numbers.length === 0) problems.push(`no ${NUMBER_RESOURCE} resource: the number is not managed`);
  for (const { m, address, r } of numbers) {
    if (!records(r.body.lifecycle).some((l) => l.prevent_destroy === true))
      problems.push(
        `${r.file}: ${address} has no lifecycle prevent_destroy = true: a plan could release the department's number`,
      );
    for (const [attribute, rule] of Object.entries(WEBHOOKS)) {
      const value = r.body[attribute];
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(`${r.file}: ${address} sets no ${attribute}`);
        continue;
      }
      if (!httpsValue(value, m)) problems.push(`${r.file}: ${address} ${attribute} is not https:// (${value})`);
      if (rule.path !== undefined && !value.endsWith(rule.path))
        problems.push(`${r.file}: ${address} ${attribute} does not end with ${rule.path} (${value})`);
      if (rule.method !== undefined) {
        const [methodAttribute, method] = rule.method;
        if (r.body[methodAttribute] !== method)
          problems.push(
            `${r.file}: ${address} ${methodAttribute} must be ${method}, not ${String(r.body[methodAttribute])}`,
          );
      }
    }
    const imported = [...modules.values()].some((root) =>
      root.imports.some(
        (i) => typeof i.body.to === 'string' && i.body.to.replace(/^\$\{|\}$/g, '').endsWith(`.${address}`),
      ),
    );
    if (!imported) problems.push(`${r.file}: ${address} has no import block: the first apply would buy a new number`);
  }
  return problems;
}

/** A literal https:// URL, or one that starts with a variable whose validation demands https://. */
function httpsValue(value: string, m: Module): boolean {
  if (value.startsWith('https://')) return true;
  const variable = /^\$\{var\.([\w-]+)\}/.exec(value)?.[1];
  if (variable === undefined) return false;
  const declaration = m.variables.get(variable);
  return records(declaration?.body.validation).some(
    (v) => typeof v.condition === 'string' && v.condition.includes('"https://"'),
  );
}

/** The ALB, the target group and the container's stop timing agree with each other and with DRAIN_TIMEOUT_MS. */
function timingProblems(t: ParsedTerraform, modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  const of = (type: string) =>
    [...modules.values()].flatMap((m) =>
      [...m.resources.entries()].filter(([, r]) => r.type === type).map(([address, r]) => ({ m, address, r })),
    );
  for (const { m, address, r } of of('aws_lb')) {
    const idle = numberIn(r.body.idle_timeout, m);
    if (idle === undefined)
      problems.push(`${r.file}: ${address} sets no idle_timeout: the default 60 s would cut a silent call`);
    else if (idle < TIMING.minIdleTimeoutSeconds || idle > TIMING.maxIdleTimeoutSeconds)
      problems.push(
        `${r.file}: ${address} idle_timeout is ${idle} s, outside ${TIMING.minIdleTimeoutSeconds}-${TIMING.maxIdleTimeoutSeconds} s`,
      );
  }
  for (const { m, address, r } of of('aws_lb_target_group')) {
    const delay = numberIn(r.body.deregistration_delay, m);
    if (delay === undefined)
      problems.push(`${r.file}: ${address} sets no deregistration_delay: the default 300 s would cut longer calls`);
    else if (delay < TIMING.minDeregistrationDelaySeconds || delay > TIMING.maxDeregistrationDelaySeconds)
      problems.push(
        `${r.file}: ${address} deregistration_delay is ${delay} s, outside ${TIMING.minDeregistrationDelaySeconds}-${TIMING.maxDeregistrationDelaySeconds} s`,
      );
    const paths = records(r.body.health_check).map((h) => h.path);
    if (!paths.includes('/health/ready'))
      problems.push(`${r.file}: ${address} health check does not ask /health/ready`);
  }
  const taskDefinitions = of('aws_ecs_task_definition');
  if (taskDefinitions.length === 0) problems.push('no aws_ecs_task_definition');
  for (const { m, address, r } of taskDefinitions) {
    const expression = r.body.container_definitions;
    const template =
      typeof expression === 'string'
        ? /templatefile\(\s*"\$\{path\.module\}\/([^"]+)"/.exec(expression)?.[1]
        : undefined;
    if (template === undefined) {
      problems.push(
        `${r.file}: ${address} container_definitions is not templatefile("\${path.module}/….json.tftpl", …)`,
      );
      continue;
    }
    const file = posix.join(m.dir, template);
    const text = t.files.get(file);
    if (text === undefined) {
      problems.push(`${r.file}: ${address} renders ${file}, which does not exist`);
      continue;
    }
    problems.push(...containerDefinitionProblems(file, text, numberIn(`\${local.container_port}`, m)));
  }
  return problems;
}

/** What every ${…} of the container definition template stands for while it is read as JSON. */
const PLACEHOLDER = 'PLACEHOLDER';
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|DATA_KEYS|PRIVATE|CREDENTIAL)/i;

/** The container definition template, read as JSON with every ${…} placeholder taken as a plain string. */
export function containerDefinitionProblems(file: string, text: string, containerPort: number | undefined): string[] {
  let containers: unknown;
  try {
    containers = JSON.parse(text.replace(/\$\{[^}]*\}/g, PLACEHOLDER));
  } catch (error) {
    return [`${file} is not JSON once its placeholders are filled: ${error instanceof Error ? error.message : ''}`];
  }
  const problems: string[] = [];
  for (const container of records(containers)) {
    const name = container.name === PLACEHOLDER ? 'the container' : `container ${String(container.name)}`;
    const stop = container.stopTimeout;
    const environment = new Map(
      records(container.environment).map((e) => [String(e.name), typeof e.value === 'string' ? e.value : undefined]),
    );
    if (typeof stop !== 'number')
      problems.push(`${file}: ${name} sets no stopTimeout: Fargate would SIGKILL it 30 s after SIGTERM`);
    else if (stop <= 0 || stop > TIMING.maxFargateStopTimeoutSeconds)
      problems.push(
        `${file}: ${name} stopTimeout is ${stop} s; Fargate allows 1-${TIMING.maxFargateStopTimeoutSeconds}`,
      );
    const drain = environment.get('DRAIN_TIMEOUT_MS');
    if (drain === undefined || !/^\d+$/.test(drain))
      problems.push(
        `${file}: ${name} sets no numeric DRAIN_TIMEOUT_MS: the service's default 300000 outlasts any stopTimeout`,
      );
    else if (typeof stop === 'number' && Number(drain) >= stop * 1000)
      problems.push(
        `${file}: ${name} DRAIN_TIMEOUT_MS ${drain} is not below stopTimeout ${stop} s x 1000: SIGKILL would cut the drain`,
      );
    for (const variable of environment.keys())
      if (SECRET_NAME.test(variable))
        problems.push(
          `${file}: ${name} puts ${variable} in environment: secrets come from Secrets Manager (secrets, valueFrom)`,
        );
    for (const secret of records(container.secrets))
      if (typeof secret.valueFrom !== 'string' || secret.valueFrom !== PLACEHOLDER)
        problems.push(`${file}: ${name} secret ${String(secret.name)} is not a Secrets Manager ARN from Terraform`);
    const ports = records(container.portMappings).map((p) => p.containerPort);
    if (containerPort !== undefined && !ports.includes(containerPort))
      problems.push(`${file}: ${name} does not map port ${containerPort}, the target group's port`);
    const logging = isRecord(container.logConfiguration) ? container.logConfiguration.logDriver : undefined;
    if (logging !== 'awslogs') problems.push(`${file}: ${name} does not log to CloudWatch (logDriver awslogs)`);
  }
  if (records(containers).length === 0) problems.push(`${file} defines no container`);
  return problems;
}

/** On-demand Fargate only: Spot reclaims a task with two minutes' notice and would cut its calls. */
function spotProblems(t: ParsedTerraform, modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  for (const [file, text] of t.files)
    if (file.endsWith('.tf') && text.includes('FARGATE_SPOT')) problems.push(`${file} uses FARGATE_SPOT`);
  for (const m of modules.values())
    for (const [address, r] of m.resources) {
      if (r.type === 'aws_ecs_service') {
        const providers = records(r.body.capacity_provider_strategy).map((s) => s.capacity_provider);
        if (providers.length === 0 && r.body.launch_type !== 'FARGATE')
          problems.push(`${r.file}: ${address} names neither a FARGATE capacity provider nor launch_type FARGATE`);
        for (const provider of providers)
          if (provider !== 'FARGATE') problems.push(`${r.file}: ${address} uses capacity provider ${String(provider)}`);
      }
      if (r.type === 'aws_ecs_cluster_capacity_providers') {
        const providers = r.body.capacity_providers;
        if (!Array.isArray(providers) || providers.some((p) => p !== 'FARGATE'))
          problems.push(`${r.file}: ${address} offers capacity providers other than FARGATE`);
      }
    }
  return problems;
}

/** Only the load balancer's 443 and 80 face the internet; secrets are read by exact ARN. */
function exposureProblems(modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  for (const m of modules.values()) {
    for (const [address, r] of m.resources)
      if (r.type === 'aws_vpc_security_group_ingress_rule' && r.body.cidr_ipv4 === '0.0.0.0/0') {
        const from = numberIn(r.body.from_port, m);
        const to = numberIn(r.body.to_port, m);
        if (!((from === 443 && to === 443) || (from === 80 && to === 80)))
          problems.push(`${r.file}: ${address} opens port ${String(from)}-${String(to)} to the internet`);
      }
    for (const [address, d] of m.data) {
      if (d.type !== 'aws_iam_policy_document') continue;
      for (const statement of records(d.body.statement)) {
        const actions = Array.isArray(statement.actions) ? statement.actions : [];
        if (!actions.some((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:*')) continue;
        const resources = statement.resources;
        if (
          resources === undefined ||
          (Array.isArray(resources) && resources.some((x) => x === '*' || x === 'arn:aws:secretsmanager:*'))
        )
          problems.push(`${d.file}: data.${address} lets the role read any secret: name the secrets' ARNs`);
      }
    }
  }
  return problems;
}

const RECORDINGS_MODULE = 'modules/recordings-bucket';
const PUBLIC_ACCESS_SETTINGS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
];

/** The recordings bucket: private, encrypted, versioned, and emptied after the service's own retention period. */
function recordingsBucketProblems(modules: Map<string, Module>): string[] {
  const m = modules.get(RECORDINGS_MODULE);
  if (m === undefined) return [`there is no ${RECORDINGS_MODULE} module`];
  const problems: string[] = [];
  const of = (type: string) => [...m.resources.values()].filter((r) => r.type === type);
  const where = `${RECORDINGS_MODULE}/main.tf`;
  const blocks = of('aws_s3_bucket_public_access_block');
  for (const setting of PUBLIC_ACCESS_SETTINGS)
    if (!blocks.some((b) => b.body[setting] === true))
      problems.push(`${where}: the recordings bucket does not set ${setting} = true: recordings must never be public`);
  if (of('aws_s3_bucket_server_side_encryption_configuration').length === 0)
    problems.push(`${where}: the recordings bucket has no server-side encryption`);
  if (
    !of('aws_s3_bucket_versioning').some((r) =>
      records(r.body.versioning_configuration).some((c) => c.status === 'Enabled'),
    )
  )
    problems.push(`${where}: the recordings bucket has no versioning with status "Enabled"`);
  const expirations = of('aws_s3_bucket_lifecycle_configuration').flatMap((r) =>
    records(r.body.rule)
      .filter((rule) => rule.status === 'Enabled')
      .flatMap((rule) => records(rule.expiration).map((e) => e.days)),
  );
  if (!expirations.includes('${var.retention_days}'))
    problems.push(`${where}: no enabled lifecycle rule expires recordings after var.retention_days`);
  for (const root of modules.values())
    for (const [name, call] of root.calls)
      if (calledDir(root.dir, call) === RECORDINGS_MODULE && call.body.retention_days !== '${var.retention_days}')
        problems.push(
          `${call.file}: module ${name} is not given var.retention_days, the service's RETENTION_DAYS, as retention_days`,
        );
  return problems;
}

const CREDENTIAL_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key ID'],
  [/\bSK[0-9a-fA-F]{32}\b/, 'a Twilio API key SID'],
  [/(?<![A-Za-z0-9])[0-9a-f]{32}(?![A-Za-z0-9])/, 'a Twilio auth token (32 hex digits)'],
  [/\beyJ[\w-]{8,}\.[\w-]{8,}\./, 'a JWT (a Turso token)'],
  [/\bsk-[\w-]{20,}/, 'an OpenAI API key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b[\w-]+:[A-Za-z0-9+/]{43}=/, 'a data key (id:base64 of 32 bytes)'],
  [
    /^\s*"?[A-Za-z_]*(password|passwd|secret|token|api_key|access_key)[A-Za-z_]*"?\s*[=:]\s*"(?!\$\{)[^"]+"/im,
    'a literal secret assigned to an attribute',
  ],
];

/** No file under infrastructure/terraform holds a credential: they come from the environment or Secrets Manager. */
function credentialProblems(t: ParsedTerraform): string[] {
  const problems: string[] = [];
  for (const [file, text] of t.files)
    text.split('\n').forEach((line, index) => {
      for (const [pattern, what] of CREDENTIAL_PATTERNS)
        if (pattern.test(line))
          problems.push(`${file}:${index + 1} holds what looks like ${what}: credentials never go in these files`);
    });
  return problems;
}

const SENSITIVE_NAME = /(^|_)(token|password|jwt|private_key|auth_token|api_key)($|_)/i;
const SENSITIVE_ATTRIBUTE = /\.(jwt|secret_string|token)\b/;

/** An output that carries a sensitive value says so. */
function sensitiveOutputProblems(modules: Map<string, Module>): string[] {
  const problems: string[] = [];
  for (const m of modules.values())
    for (const [name, output] of m.outputs) {
      if (output.body.sensitive === true) continue;
      const texts = strings(output.body.value);
      const fromSensitive = texts.some((text) =>
        references(text).some((ref) => {
          if (ref.kind === 'var') return m.variables.get(ref.name)?.body.sensitive === true;
          if (ref.kind !== 'module' || ref.output === undefined) return false;
          const call = m.calls.get(ref.name);
          const dir = call === undefined ? undefined : calledDir(m.dir, call);
          const callee = dir === undefined ? undefined : modules.get(dir);
          return callee?.outputs.get(ref.output)?.body.sensitive === true;
        }),
      );
      if (fromSensitive || SENSITIVE_NAME.test(name) || texts.some((text) => SENSITIVE_ATTRIBUTE.test(text)))
        problems.push(`${output.file}: output ${name} carries a sensitive value but is not marked sensitive = true`);
    }
  return problems;
}

// --- Reading the parsed form --------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  return isRecord(value) ? [value] : [];
}

/** { name: [ body ] } → [name, body] pairs. */
function named(value: unknown): [string, Record<string, unknown>][] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([name, bodies]) =>
    records(bodies).map((body) => [name, body] as [string, Record<string, unknown>]),
  );
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isRecord(value)) return Object.values(value).flatMap(strings);
  return [];
}

/** A number, a numeric string, or ${local.X} whose value is one. */
function numberIn(value: unknown, m: Module): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const local = /^\$\{local\.([\w-]+)\}$/.exec(value)?.[1];
  if (local === undefined) return undefined;
  const found = m.locals.get(local)?.value;
  if (typeof found === 'number') return found;
  return typeof found === 'string' ? numberIn(found, m) : undefined;
}

/** How a module directory is named in a problem. */
function label(dir: string): string {
  return dir === '.' ? 'the root module' : dir;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
