// Query-string helpers that keep the raw form: parameters other than the ones asked about are
// never re-encoded, so what the upstream receives is byte-identical to what the client sent.

function decodeComponent (text: string): string {
  const plain = text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' ')
  if (plain.indexOf('%') === -1) return plain
  try {
    return decodeURIComponent(plain)
  } catch {
    return plain
  }
}

/** The first decoded value of `name` in a raw query string, or undefined. */
export function findQueryParam (query: string, name: string): string | undefined {
  if (query === '') return undefined
  for (const part of query.split('&')) {
    const eq = part.indexOf('=')
    const rawName = eq === -1 ? part : part.slice(0, eq)
    if (decodeComponent(rawName) === name) return eq === -1 ? '' : decodeComponent(part.slice(eq + 1))
  }
  return undefined
}

/** The raw query string without any parameter called `name`; other parameters keep their bytes. */
export function withoutQueryParam (query: string, name: string): string {
  if (query === '') return query
  const kept = query.split('&').filter((part) => {
    const eq = part.indexOf('=')
    return decodeComponent(eq === -1 ? part : part.slice(0, eq)) !== name
  })
  return kept.join('&')
}
