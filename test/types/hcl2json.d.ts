// The one function of @cdktn/hcl2json the Terraform checks use. Its own
// declarations reference the DOM library, which would give every file of the
// project browser globals (and change how Playwright's page functions are
// typed); tsconfig.json maps the package here for types only.
export function parse(filename: string, contents: string): Promise<Record<string, unknown>>;
