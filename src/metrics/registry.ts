import { Counter, Gauge, Histogram, type Aggregator, type MetricJson } from './family.js'

/** Latency buckets in seconds: 1 ms to 10 s, the range a gateway's answers fall in. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

interface Options {
  readonly labels?: readonly string[]
  /** How the primary combines the workers' series; default 'sum'. */
  readonly aggregator?: Aggregator
}

type AnyFamily = Counter | Gauge | Histogram

/**
 * The metrics of one worker process. Modules declare their families once (at import or compile
 * time) and bump series; the worker ships `snapshot()` to the primary, which sums the workers.
 * Declaring the same name twice returns the first family (it must have the same kind and labels),
 * so two modules, or two config versions, can share one.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, AnyFamily>()
  private readonly collectors: Array<() => void> = []

  counter (name: string, help: string, options: Options = {}): Counter {
    return this.declare(name, () => new Counter(name, help, options.labels ?? [], options.aggregator ?? 'sum'), Counter, options)
  }

  gauge (name: string, help: string, options: Options = {}): Gauge {
    return this.declare(name, () => new Gauge(name, help, options.labels ?? [], options.aggregator ?? 'sum'), Gauge, options)
  }

  /** `buckets` are upper bounds in the unit the values are observed in, increasing. */
  histogram (name: string, help: string, buckets: readonly number[], options: Options = {}): Histogram {
    for (let i = 1; i < buckets.length; i++) if ((buckets[i] as number) <= (buckets[i - 1] as number)) throw new Error(`histogram ${name}: buckets must increase`)
    return this.declare(name, () => new Histogram(name, help, options.labels ?? [], options.aggregator ?? 'sum', buckets), Histogram, options)
  }

  /** `collect` runs before each snapshot: for values read from elsewhere (heap, target states). */
  onCollect (collect: () => void): void {
    this.collectors.push(collect)
  }

  /** Every family in prom-client's JSON shape, collectors run first. */
  snapshot (): MetricJson[] {
    for (const collect of this.collectors) collect()
    const out: MetricJson[] = []
    for (const family of this.families.values()) out.push(family.toJson())
    return out
  }

  private declare<F extends AnyFamily> (name: string, make: () => F, kind: new (...args: never[]) => F, options: Options): F {
    const existing = this.families.get(name)
    if (existing !== undefined) {
      const labels = options.labels ?? []
      if (!(existing instanceof kind) || existing.labelNames.join(',') !== labels.join(',')) {
        throw new Error(`metric ${name} is already declared with another kind or labels`)
      }
      return existing
    }
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`metric name ${name} is not a Prometheus name`)
    const family = make()
    this.families.set(name, family)
    return family
  }
}

/** The registry of this process (each worker has its own; the primary sums them). */
export const metrics = new MetricsRegistry()
