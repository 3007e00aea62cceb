import type { Express } from 'express';

/** What an express 5 app serves, read from its router stack: each route's method and path, mounted routers included. */

export interface ServedRoute {
  readonly method: string;
  readonly path: string;
}

interface Layer {
  readonly route?: { readonly path: string | readonly string[]; readonly methods: Readonly<Record<string, boolean>> };
  readonly handle?: { readonly stack?: readonly Layer[] };
}

export function servedRoutes(app: Express): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const walk = (stack: readonly Layer[]): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        const paths = typeof layer.route.path === 'string' ? [layer.route.path] : layer.route.path;
        for (const path of paths)
          for (const [method, on] of Object.entries(layer.route.methods))
            if (on && method !== '_all') routes.push({ method: method.toUpperCase(), path });
      } else if (layer.handle?.stack !== undefined) {
        // Our routers are mounted without a prefix (their routes carry full paths), so the paths add up as they are.
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: readonly Layer[] } }).router.stack);
  return routes;
}
