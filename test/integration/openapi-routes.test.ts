import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MEDIA_PATH } from '../../src/call/media-socket-server.ts';
import { servedRoutes } from '../support/express-routes.ts';
import { startTestService, type TestService } from '../support/service.ts';

/**
 * docs/openapi.yaml against the service as it starts: every route the express app serves is documented with its
 * method, and every documented endpoint is served. Two are not express routes and are checked against what does
 * serve them: the media WebSocket (the server's upgrade handler) and the static files (express.static).
 */

const ROOT = join(import.meta.dirname, '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  readonly parameters?: readonly { readonly $ref?: string; readonly name?: string; readonly in?: string }[];
}
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>> & { readonly servers?: unknown };
interface OpenApi {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const document = parse(readFileSync(join(ROOT, 'docs/openapi.yaml'), 'utf8')) as OpenApi;

/** `/staff/calls/:callSid` as OpenAPI writes it: `/staff/calls/{callSid}`. */
const openApiPath = (expressPath: string): string => expressPath.replace(/:(\w+)/g, '{$1}');

const endpoint = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

/** The endpoints on the public port; a path with servers of its own (the metrics listener) is elsewhere. */
function documentedOnPublicPort(): string[] {
  return Object.entries(document.paths)
    .filter(([, item]) => item.servers === undefined)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m] !== undefined).map((m) => endpoint(m, path)))
    .sort();
}

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
}, 60_000);
afterAll(async () => {
  await service.close();
});

describe('docs/openapi.yaml', () => {
  it('when the service starts, then every route it serves is documented with its method, and every documented one is served', () => {
    const app = service.server.listeners('request')[0] as Express;
    const served = servedRoutes(app).map((r) => endpoint(r.method, openApiPath(r.path)));
    const notRoutes = [endpoint('get', MEDIA_PATH), endpoint('get', '/static/{file}')];

    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(served.length).toBeGreaterThan(20);
    expect(new Set(served).size).toBe(served.length);
    expect(documentedOnPublicPort()).toEqual([...served, ...notRoutes].sort());
  });

  it('when a static file exists, then it is the documented list, and each is served', async () => {
    const file = document.paths['/static/{file}']?.get?.parameters?.find((p) => p.name === 'file') as
      { schema: { enum: string[] } } | undefined;
    const files = readdirSync(join(ROOT, 'src/web/static')).sort();

    expect(file?.schema.enum.toSorted()).toEqual(files);
    for (const name of files) expect((await fetch(`${service.url}/static/${name}`)).status).toBe(200);
  });

  it('when a path has parameters, then each is declared in its operations, and every $ref resolves', () => {
    const resolve = (ref: string): unknown => {
      const [, section, name] = /^#\/components\/(\w+)\/([\w-]+)$/.exec(ref) ?? [];
      return section === undefined || name === undefined ? undefined : document.components[section]?.[name];
    };
    const missing: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const method of METHODS) {
        const operation = item[method];
        if (operation === undefined) continue;
        const declared = (operation.parameters ?? [])
          .map((p) => (p.$ref === undefined ? p : (resolve(p.$ref) as { name?: string; in?: string } | undefined)))
          .filter((p) => p?.in === 'path')
          .map((p) => p?.name);
        for (const name of names) if (!declared.includes(name)) missing.push(`${endpoint(method, path)}: {${name}}`);
      }
    }
    const refs = [...readFileSync(join(ROOT, 'docs/openapi.yaml'), 'utf8').matchAll(/\$ref: '([^']+)'/g)].map(
      (m) => m[1] ?? '',
    );
    expect(missing).toEqual([]);
    expect(refs.length).toBeGreaterThan(50);
    expect(refs.filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });
});
