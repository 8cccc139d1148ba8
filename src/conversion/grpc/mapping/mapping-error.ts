/** A request value that does not fit the method's message: where (a JSON pointer, or the parameter) and why. */
export class MappingError extends Error {
  constructor (readonly path: string, reason: string) {
    super(reason)
    this.name = 'MappingError'
  }

  /** `"<path>: <reason>"`, the message of the 400 answer. */
  describe (): string {
    return `${this.path === '' ? '/' : this.path}: ${this.message}`
  }
}
