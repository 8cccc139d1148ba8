import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MetricsRegistry } from './registry.js'
import { NodeMetrics } from './node-metrics.js'

void test('a counter series keeps its handle and counts per label values', () => {
  const registry = new MetricsRegistry()
  const retries = registry.counter('t_retries_total', 'Retries.', { labels: ['service'] })
  const a = retries.series('a')
  a.inc()
  a.inc(2)
  retries.inc('b')
  assert.equal(retries.series('a'), a)
  assert.deepEqual(registry.snapshot()[0]?.values, [{ value: 3, labels: { service: 'a' } }, { value: 1, labels: { service: 'b' } }])
})

void test('declaring a name again returns the same family; another kind or labels is refused', () => {
  const registry = new MetricsRegistry()
  const first = registry.counter('t_total', 'x', { labels: ['a'] })
  assert.equal(registry.counter('t_total', 'x', { labels: ['a'] }), first)
  assert.throws(() => registry.gauge('t_total', 'x', { labels: ['a'] }), /another kind or labels/)
  assert.throws(() => registry.counter('t_total', 'x', { labels: ['b'] }), /another kind or labels/)
  assert.throws(() => registry.counter('bad-name', 'x'), /not a Prometheus name/)
  assert.throws(() => first.series(), /expected 1 label values/)
})

void test('a histogram ships cumulative buckets, sum and count', () => {
  const registry = new MetricsRegistry()
  const h = registry.histogram('t_seconds', 'x', [0.1, 1])
  const s = h.series()
  for (const v of [0.05, 0.1, 0.5, 3]) s.observe(v)
  const values = registry.snapshot()[0]?.values.map((v) => [v.metricName, v.labels.le, v.value])
  assert.deepEqual(values, [['t_seconds_bucket', 0.1, 2], ['t_seconds_bucket', 1, 3], ['t_seconds_bucket', '+Inf', 4], ['t_seconds_sum', undefined, 3.65], ['t_seconds_count', undefined, 4]])
})

void test('collectors run before each snapshot', () => {
  const registry = new MetricsRegistry()
  const g = registry.gauge('t_gauge', 'x')
  let n = 0
  registry.onCollect(() => { g.series().set(++n) })
  assert.equal(registry.snapshot()[0]?.values[0]?.value, 1)
  assert.equal(registry.snapshot()[0]?.values[0]?.value, 2)
})

function workerSnapshot (requests: number, inFlight: number): ReturnType<MetricsRegistry['snapshot']> {
  const registry = new MetricsRegistry()
  registry.counter('t_requests_total', 'Requests.', { labels: ['route'] }).series('r').inc(requests)
  registry.gauge('t_in_flight', 'In flight.').series().set(inFlight)
  registry.histogram('t_seconds', 'Latency.', [1]).series().observe(0.5)
  return registry.snapshot()
}

void test('the node sums live workers and keeps the counters, not the gauges, of exited ones', async () => {
  const node = new NodeMetrics()
  node.update(1, workerSnapshot(10, 2))
  node.update(2, workerSnapshot(5, 3))
  let page = await node.render([])
  assert.match(page, /^t_requests_total\{route="r"\} 15$/m)
  assert.match(page, /^t_in_flight 5$/m)
  assert.match(page, /^t_seconds_count 2$/m)
  node.retire(1)
  node.update(3, workerSnapshot(1, 1))
  page = await node.render([])
  assert.match(page, /^t_requests_total\{route="r"\} 16$/m, 'the dead worker\'s 10 stay')
  assert.match(page, /^t_in_flight 4$/m, 'its gauge is gone')
  assert.match(page, /^t_seconds_bucket\{le="1"\} 3$/m)
  node.retire(2)
  node.retire(3)
  page = await node.render([])
  assert.match(page, /^t_requests_total\{route="r"\} 16$/m)
})
