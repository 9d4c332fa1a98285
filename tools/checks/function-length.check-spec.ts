import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// No function in services/, libs/, tools/, e2e/ or bench/ is longer than MAX_FUNCTION_LINES lines
// unless it says why, in a `// long-function: <reason>` comment right above it. A long function
// hides what it does; the bound makes a reader's job (and a reviewer's) one screen at a time.
// Not functions in this sense: the callbacks of describe/it/before…/after… (a list of tests), and
// a function whose whole body is one describe call (a shared test suite, such as the backbone's).

const MAX_FUNCTION_LINES = 70;
const root = join(__dirname, '..', '..');
const FOLDERS = ['services', 'libs', 'tools', 'e2e', 'bench'];
const TEST_BLOCKS = new Set(['describe', 'it', 'test', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach']);
const STATED_REASON = /\/\/ long-function: \S/;

export interface LongFunction {
  readonly where: string;
  readonly name: string;
  readonly lines: number;
}

function calleeName(call: ts.CallExpression): string {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  // describe.each(…)(…), it.each(…)(…), it.skip(…)
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) return callee.expression.text;
  if (ts.isCallExpression(callee)) return calleeName(callee);
  return '';
}

function isTestBlockCallback(node: ts.Node): boolean {
  return ts.isCallExpression(node.parent) && TEST_BLOCKS.has(calleeName(node.parent));
}

function isSuiteDefinition(node: ts.FunctionLikeDeclaration): boolean {
  const body = node.body;
  if (body === undefined || !ts.isBlock(body) || body.statements.length !== 1) return false;
  const [only] = body.statements;
  return only !== undefined && ts.isExpressionStatement(only) && ts.isCallExpression(only.expression) && calleeName(only.expression) === 'describe';
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name !== undefined) return node.name.getText();
  if (ts.isVariableDeclaration(node.parent)) return node.parent.name.getText();
  if (ts.isPropertyAssignment(node.parent)) return node.parent.name.getText();
  return '(anonymous)';
}

/** The functions of one file longer than the bound, without a stated reason. */
export function longFunctions(fileName: string, text: string, max = MAX_FUNCTION_LINES): LongFunction[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2023, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const fn = node as ts.FunctionLikeDeclaration;
      const start = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
      const lines = end - start + 1;
      const statedReason = STATED_REASON.test(text.slice(fn.getFullStart(), fn.getStart(source)));
      if (lines > max && !statedReason && !isTestBlockCallback(fn) && !isSuiteDefinition(fn)) found.push({ where: `${fileName}:${start + 1}`, name: nameOf(fn), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', ...FOLDERS.map((folder) => `${folder}/*.ts`)], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return listed.split('\n').filter((file) => file !== '' && !file.includes('/generated/') && !file.includes('node_modules/'));
}

describe('function length', () => {
  it(`finds no function over ${MAX_FUNCTION_LINES} lines without a stated reason`, () => {
    const long = sourceFiles().flatMap((file) => longFunctions(file, readFileSync(join(root, file), 'utf8')));
    expect(long).toEqual([]);
  });

  it('is live: it finds a planted long function, and accepts one that states why or is a list of tests', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const a${i} = ${i};`).join('\n');
    expect(longFunctions('probe.ts', `export function planted(): void {\n${body}\n}\n`)).toEqual([{ where: 'probe.ts:1', name: 'planted', lines: MAX_FUNCTION_LINES + 2 }]);
    expect(longFunctions('probe.ts', `// long-function: a table of cases, read top to bottom\nexport function planted(): void {\n${body}\n}\n`)).toEqual([]);
    expect(longFunctions('probe.ts', `describe('suite', () => {\n${body}\n});\n`)).toEqual([]);
  });
});
