import { registerHooks } from 'node:module';

/**
 * Preloaded with --import: libxmljs2 (cyclonedx-npm's optional native XML
 * validator, whose install script package.json denies) cannot be loaded, as on
 * a machine where it was never built.
 */
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'libxmljs2' || specifier.startsWith('libxmljs2/'))
      throw Object.assign(new Error(`Cannot find module '${specifier}' (hidden by without-libxmljs2.ts)`), {
        code: 'MODULE_NOT_FOUND',
      });
    return nextResolve(specifier, context);
  },
});
