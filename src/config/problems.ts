/** Configuration problems: where (file, JSON pointer) and why, collected rather than thrown. */

/** One problem in a configuration: the file (or request), a JSON pointer into it, and the reason. */
export interface ConfigProblem {
  /** The file the problem is in (or a request name for admin API bodies). */
  readonly file: string
  /** JSON pointer (RFC 6901) to the offending value, e.g. `/routes/2/paths/0`; `""` is the whole document. */
  readonly path: string
  /** What is wrong, in words an operator can act on. */
  readonly reason: string
}

/** Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`). */
export function escapePointerSegment (segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Builds a JSON pointer from segments: `pointer('routes', 2, 'paths')` is `/routes/2/paths`. */
export function pointer (...segments: Array<string | number>): string {
  return segments.map((s) => '/' + escapePointerSegment(s)).join('')
}

/** Splits a JSON pointer into unescaped segments; `""` gives `[]`. */
export function pointerSegments (path: string): string[] {
  if (path === '') return []
  return path.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** Collects problems for one file; cross checks call `add` and never stop at the first. */
export class ProblemList {
  readonly items: ConfigProblem[] = []
  constructor (readonly file: string) {}

  /** Records a problem at `path` (a JSON pointer). */
  add (path: string, reason: string): void {
    this.items.push({ file: this.file, path, reason })
  }

  /** True when a problem was recorded at `path` or anywhere inside it. */
  has (path: string): boolean {
    return this.items.some((p) => p.path === path || p.path.startsWith(path + '/'))
  }
}

/** One line per problem, `file: /path: reason`, for the CLI; the whole document shows as `/`. */
export function formatProblems (problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path === '' ? '/' : p.path}: ${p.reason}`).join('\n')
}
