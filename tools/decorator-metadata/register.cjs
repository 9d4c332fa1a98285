// Compiles TypeScript loaded by require() with swc, emitting decorator metadata
// (`design:paramtypes`, `design:type`), as the tests' swc transform does. tsx (esbuild) emits none,
// so under `node --import tsx` alone Nest's ValidationPipe sees no DTO class for @Body()/@Query()
// (and validates nothing) and @nestjs/swagger cannot describe bodies, queries or property types.
// Load it after tsx, which keeps resolving modules (tsconfig paths):
//   node --import tsx --require ./tools/decorator-metadata/register.cjs services/<name>/src/main.ts
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
  swcrc: false,
  configFile: false,
};

function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
}

for (const extension of ['.ts', '.cts', '.mts']) Module._extensions[extension] = compileTypeScript;
