// The codec as the public entry point `tollgate/json` (issue 4, "Packaging"): it resolves through the
// package's own `exports` map (Node's self-reference by package name), ships its declarations, and
// stands alone: nothing under src/codec/json/ imports from outside that folder or beyond Node.
import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test } from 'node:test'
import ts from 'typescript'

function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above the test')
    dir = up
  }
  return dir
}

const ROOT = packageRoot()
const ENTRY_JS = join(ROOT, 'dist', 'src', 'codec', 'json', 'index.js')
const ENTRY_DTS = join(ROOT, 'dist', 'src', 'codec', 'json', 'index.d.ts')
const CODEC_SRC = join(ROOT, 'src', 'codec', 'json')
// A variable, so TypeScript does not try to resolve the name while compiling this file.
const SPECIFIER: string = 'tollgate/json'

test('tollgate/json resolves through the package exports to the built codec', () => {
  assert.equal(import.meta.resolve(SPECIFIER), pathToFileURL(ENTRY_JS).href)
})

test('import("tollgate/json") gives a working codec', async () => {
  const codec = await import(SPECIFIER) as typeof import('../../../src/codec/json/index.js')
  const doc = codec.scan('{"id": 9007199254740993, "path": "a\\/b"}')
  assert.equal(doc.get('id')?.number().toBigInt(), 9007199254740993n)
  assert.equal(doc.set(['path'], 'c/d').emitText(), '{"id": 9007199254740993, "path": "c/d"}')
})

test('the entry ships declarations that TypeScript finds through the exports map', () => {
  assert.ok(existsSync(ENTRY_DTS), `${ENTRY_DTS} is missing (is "declaration" on in tsconfig.json?)`)
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }
  const resolved = ts.resolveModuleName(SPECIFIER, join(ROOT, 'consumer.ts'), options, ts.sys).resolvedModule
  assert.equal(resolved?.resolvedFileName, ENTRY_DTS)
  for (const file of readdirSync(join(ROOT, 'src', 'codec', 'json'))) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue
    const dts = join(dirname(ENTRY_DTS), file.replace(/\.ts$/, '.d.ts'))
    assert.ok(existsSync(dts), `${dts} is missing`)
  }
})

/** Import specifiers of `text` (static, type-only, re-exports and literal dynamic imports) that leave `dir` or Node. */
function foreignImports (text: string, file: string, dir: string): string[] {
  const bad: string[] = []
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (fileName.startsWith('node:') || builtinModules.includes(fileName)) continue
    const inside = fileName.startsWith('./') && !relative(dir, resolve(dirname(file), fileName)).startsWith('..')
    if (!inside) bad.push(fileName)
  }
  return bad
}

test('the import check flags a gateway import, a parent path and an npm package', () => {
  const file = join(CODEC_SRC, 'x.ts')
  const text = "import { a } from '../../errors.js'\nexport * from './sub/../../b.js'\nimport('lossless-json')\nimport { c } from './c.js'\n"
  assert.deepEqual(foreignImports(text, file, CODEC_SRC), ['../../errors.js', './sub/../../b.js', 'lossless-json'])
})

test('no file under src/codec/json imports from outside the folder or beyond Node', () => {
  const files = readdirSync(CODEC_SRC, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'))
  assert.ok(files.length > 10, `expected the codec sources in ${CODEC_SRC}`)
  const bad: string[] = []
  for (const name of files) {
    const file = join(CODEC_SRC, name)
    for (const specifier of foreignImports(readFileSync(file, 'utf8'), file, CODEC_SRC)) bad.push(`${name.split(sep).join('/')}: ${specifier}`)
  }
  assert.deepEqual(bad, [])
})
