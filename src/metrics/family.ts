/**
 * Worker-side metric families: plain numbers bumped on the request path, turned into prom-client's
 * JSON shape (`MetricJson`) only when a snapshot is shipped to the primary. Label values are
 * looked up in nested maps (no label string is built per call); a caller on a hot path keeps the
 * `series(...)` handle and calls `inc()` on it directly.
 */

/** How the primary combines one series across workers (prom-client's aggregator names). */
export type Aggregator = 'sum' | 'max' | 'min' | 'first'

/** One value in prom-client's `getMetricsAsJSON()` shape. */
export interface MetricJsonValue {
  value: number
  labels: Record<string, string | number>
  metricName?: string
}

/** One metric family in prom-client's `getMetricsAsJSON()` shape (what `AggregatorRegistry.aggregate` takes). */
export interface MetricJson {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  aggregator: Aggregator
  values: MetricJsonValue[]
}

/** Label values → series, one map level per label. */
class SeriesIndex<S> {
  private readonly root = new Map<string, unknown>()
  readonly all: S[] = []
  constructor (private readonly depth: number, private readonly make: (values: readonly string[]) => S) {}

  get (values: readonly string[]): S {
    if (values.length !== this.depth) throw new Error(`expected ${this.depth} label values, got ${values.length}`)
    if (this.depth === 0) return (this.all[0] ??= this.make(values))
    let level = this.root
    for (let i = 0; i < this.depth - 1; i++) {
      let next = level.get(values[i] as string) as Map<string, unknown> | undefined
      if (next === undefined) level.set(values[i] as string, (next = new Map()))
      level = next
    }
    const last = values[this.depth - 1] as string
    let series = level.get(last) as S | undefined
    if (series === undefined) {
      series = this.make([...values])
      level.set(last, series)
      this.all.push(series)
    }
    return series
  }

  clear (): void {
    this.root.clear()
    this.all.length = 0
  }
}

function labelsOf (names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {}
  for (let i = 0; i < names.length; i++) labels[names[i] as string] = values[i] as string
  return labels
}

/** A monotonically increasing count. */
export class CounterSeries {
  value = 0
  constructor (readonly labels: Record<string, string>) {}
  inc (by = 1): void { this.value += by }
}

/** A value that goes up and down, or is set from a collector. */
export class GaugeSeries {
  value = 0
  constructor (readonly labels: Record<string, string>) {}
  set (value: number): void { this.value = value }
  inc (by = 1): void { this.value += by }
  dec (by = 1): void { this.value -= by }
}

/** Bucket counts (not cumulative; made cumulative when shipped), sum and count. */
export class HistogramSeries {
  readonly counts: Float64Array
  sum = 0
  count = 0
  constructor (readonly labels: Record<string, string>, private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe (value: number): void {
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > (bounds[i] as number)) i++
    this.counts[i] = (this.counts[i] as number) + 1
    this.sum += value
    this.count++
  }
}

abstract class Family<S extends { labels: Record<string, string> }> {
  protected readonly index: SeriesIndex<S>
  constructor (readonly name: string, readonly help: string, readonly labelNames: readonly string[], readonly aggregator: Aggregator) {
    this.index = new SeriesIndex(labelNames.length, (values) => this.make(labelsOf(labelNames, values)))
  }

  /** The series of these label values (in `labelNames` order), made on first use. */
  series (...values: string[]): S {
    return this.index.get(values)
  }

  protected abstract make (labels: Record<string, string>): S
  abstract toJson (): MetricJson
}

export class Counter extends Family<CounterSeries> {
  protected make (labels: Record<string, string>): CounterSeries { return new CounterSeries(labels) }
  /** Adds 1 to the series of `values`. */
  inc (...values: string[]): void { this.index.get(values).value++ }
  toJson (): MetricJson {
    return { name: this.name, help: this.help, type: 'counter', aggregator: this.aggregator, values: this.index.all.map((s) => ({ value: s.value, labels: s.labels })) }
  }
}

export class Gauge extends Family<GaugeSeries> {
  protected make (labels: Record<string, string>): GaugeSeries { return new GaugeSeries(labels) }
  /** Forgets every series (for gauges rebuilt by a collector on each snapshot). */
  clear (): void {
    this.index.clear()
  }

  toJson (): MetricJson {
    return { name: this.name, help: this.help, type: 'gauge', aggregator: this.aggregator, values: this.index.all.map((s) => ({ value: s.value, labels: s.labels })) }
  }
}

export class Histogram extends Family<HistogramSeries> {
  private readonly bounds: Float64Array
  constructor (name: string, help: string, labelNames: readonly string[], aggregator: Aggregator, readonly buckets: readonly number[]) {
    super(name, help, labelNames, aggregator)
    this.bounds = Float64Array.from(buckets)
  }

  protected make (labels: Record<string, string>): HistogramSeries { return new HistogramSeries(labels, this.bounds) }

  toJson (): MetricJson {
    const values: MetricJsonValue[] = []
    for (const s of this.index.all) {
      let cumulative = 0
      for (let i = 0; i < s.counts.length; i++) {
        cumulative += s.counts[i] as number
        values.push({ value: cumulative, labels: { ...s.labels, le: i < this.buckets.length ? (this.buckets[i] as number) : '+Inf' }, metricName: `${this.name}_bucket` })
      }
      values.push({ value: s.sum, labels: s.labels, metricName: `${this.name}_sum` })
      values.push({ value: s.count, labels: s.labels, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: this.aggregator, values }
  }
}
