// Prints the top self-time functions of a V8 .cpuprofile (as written by `node --cpu-prof`).
// Usage: node scripts/profile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs'

const [file, count = '25'] = process.argv.slice(2)
if (!file) {
  console.error('usage: node scripts/profile-summary.mjs FILE.cpuprofile [N]')
  process.exit(1)
}
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const selfSamples = new Map()
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1)
const total = profile.samples.length
const byFunction = new Map()
let idle = 0
for (const [id, samples] of selfSamples) {
  const { callFrame } = byId.get(id)
  if (callFrame.functionName === '(idle)') { idle += samples; continue }
  const where = callFrame.url === '' ? '' : `${callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${callFrame.lineNumber + 1}`
  const key = `${callFrame.functionName || '(anonymous)'} ${where}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + samples)
}
const busy = total - idle
console.log(`${busy} busy samples of ${total} (${(100 * busy / total).toFixed(1)} % busy)`)
for (const [key, samples] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`${(100 * samples / busy).toFixed(1).padStart(5)} %  ${key}`)
}
