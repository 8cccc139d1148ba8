/**
 * An ordered, mutable list of HTTP header fields with lower-case names.
 *
 * Kept as two parallel arrays rather than a Map: a request has 5–20 fields, where a linear scan
 * beats hashing, the order of repeated fields is kept, and the list converts to the flat
 * `[name, value, name, value]` form both ingresses and the upstream client use without copying keys.
 */
export class HeaderList {
  private names: string[]
  private values: string[]

  constructor (names: string[] = [], values: string[] = []) {
    this.names = names
    this.values = values
  }

  /** Builds a list from Node's flat raw form `[Name, value, ...]`; names are lower-cased. */
  static fromRaw (raw: readonly string[]): HeaderList {
    const count = raw.length >> 1
    const names = new Array<string>(count)
    const values = new Array<string>(count)
    for (let i = 0, j = 0; j < count; i += 2, j++) {
      names[j] = (raw[i] as string).toLowerCase()
      values[j] = raw[i + 1] as string
    }
    return new HeaderList(names, values)
  }

  /** Number of fields (a repeated name counts each time). */
  get size (): number {
    return this.names.length
  }

  /** The first value of `name` (lower-case), or undefined. */
  get (name: string): string | undefined {
    const i = this.names.indexOf(name)
    return i === -1 ? undefined : this.values[i]
  }

  /** Every value of `name` (lower-case), in order. */
  getAll (name: string): string[] {
    const found: string[] = []
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) found.push(this.values[i] as string)
    return found
  }

  has (name: string): boolean {
    return this.names.indexOf(name) !== -1
  }

  /** Replaces every field called `name` by one field with `value`. */
  set (name: string, value: string): void {
    const i = this.names.indexOf(name)
    if (i === -1) {
      this.names.push(name)
      this.values.push(value)
      return
    }
    this.values[i] = value
    this.deleteFrom(name, i + 1)
  }

  /** Adds a field, keeping existing ones of the same name. */
  append (name: string, value: string): void {
    this.names.push(name)
    this.values.push(value)
  }

  /** Removes every field called `name`; returns whether one was there. */
  delete (name: string): boolean {
    const before = this.names.length
    this.deleteFrom(name, 0)
    return this.names.length !== before
  }

  /** Removes every field whose name satisfies `test`, in one pass. */
  deleteWhere (test: (name: string) => boolean): void {
    let kept = 0
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string
      if (test(name)) continue
      this.names[kept] = name
      this.values[kept] = this.values[i] as string
      kept++
    }
    this.names.length = kept
    this.values.length = kept
  }

  /** Visits fields in order. */
  forEach (visit: (value: string, name: string) => void): void {
    for (let i = 0; i < this.names.length; i++) visit(this.values[i] as string, this.names[i] as string)
  }

  /** Appends the fields as `name, value` pairs to `out` (the flat form) and returns it. */
  toFlat (out: string[] = []): string[] {
    for (let i = 0; i < this.names.length; i++) out.push(this.names[i] as string, this.values[i] as string)
    return out
  }

  /** A plain object (repeated names joined with ", "; set-cookie kept as an array). For logs and tests. */
  toObject (): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {}
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string
      const value = this.values[i] as string
      const prev = out[name]
      if (prev === undefined) out[name] = name === 'set-cookie' ? [value] : value
      else if (Array.isArray(prev)) prev.push(value)
      else out[name] = `${prev}, ${value}`
    }
    return out
  }

  clone (): HeaderList {
    return new HeaderList(this.names.slice(), this.values.slice())
  }

  private deleteFrom (name: string, start: number): void {
    for (let i = this.names.length - 1; i >= start; i--) {
      if (this.names[i] === name) {
        this.names.splice(i, 1)
        this.values.splice(i, 1)
      }
    }
  }
}
