/**
 * A compressed prefix tree used by the router for two lookups that must not allocate per request:
 * the longest path prefix of a request path, and (with `reversed`) the longest `.suffix` of a host.
 * Built once at compile time; `seal()` must run after the last insert.
 */

/** A node of the trie; nodes that end an inserted key hold a value. */
export interface TrieNode<T> {
  /** Length of the key that ends at this node. */
  readonly depth: number
  /** The value of the key ending here, undefined for inner nodes. */
  readonly value: T | undefined
  /** The nearest ancestor that holds a value: the next shorter key that is a prefix of this one. */
  readonly up: TrieNode<T> | undefined
}

class Node<T> implements TrieNode<T> {
  label: string
  depth: number
  value: T | undefined = undefined
  children: Map<number, Node<T>> | undefined = undefined
  up: Node<T> | undefined = undefined
  constructor (label: string, depth: number) {
    this.label = label
    this.depth = depth
  }
}

/** A radix trie keyed by strings, read forwards (prefixes) or backwards (suffixes). */
export class RadixTrie<T> {
  private readonly root = new Node<T>('', 0)
  private readonly reversed: boolean
  private sealed = false

  /** @param reversed match suffixes: keys and inputs are read from their last character. */
  constructor (reversed = false) {
    this.reversed = reversed
  }

  /** Returns the value stored under `key`, storing `create()` first when there is none. */
  getOrInsert (key: string, create: () => T): T {
    if (this.sealed) throw new Error('RadixTrie: insert after seal()')
    const stored = this.reversed ? [...key].reverse().join('') : key
    const node = this.insertNode(stored)
    if (node.value === undefined) node.value = create()
    return node.value
  }

  /** Links every node to its nearest valued ancestor; call once after the last insert. */
  seal (): void {
    const visit = (node: Node<T>, up: Node<T> | undefined): void => {
      node.up = up
      const next = node.value !== undefined ? node : up
      if (node.children !== undefined) for (const child of node.children.values()) visit(child, next)
    }
    visit(this.root, undefined)
    this.sealed = true
  }

  /**
   * The node of the longest key that is a prefix of `input` (a suffix when reversed), or undefined.
   * Shorter matching keys are reached through `up`. Compares char codes only: no allocation.
   */
  longest (input: string): TrieNode<T> | undefined {
    const length = input.length
    const reversed = this.reversed
    let node = this.root
    let best: Node<T> | undefined = node.value !== undefined ? node : undefined
    let k = 0
    while (k < length) {
      const child = node.children?.get(input.charCodeAt(reversed ? length - 1 - k : k))
      if (child === undefined) break
      const label = child.label
      if (k + label.length > length) break
      for (let j = 1; j < label.length; j++) {
        const code = input.charCodeAt(reversed ? length - 1 - k - j : k + j)
        if (code !== label.charCodeAt(j)) return best
      }
      k += label.length
      node = child
      if (node.value !== undefined) best = node
    }
    return best
  }

  private insertNode (key: string): Node<T> {
    let node = this.root
    let i = 0
    while (i < key.length) {
      const first = key.charCodeAt(i)
      node.children ??= new Map()
      const child = node.children.get(first)
      if (child === undefined) {
        const leaf = new Node<T>(key.slice(i), key.length)
        node.children.set(first, leaf)
        return leaf
      }
      let j = 1
      while (j < child.label.length && i + j < key.length && child.label.charCodeAt(j) === key.charCodeAt(i + j)) j++
      if (j < child.label.length) {
        // The key diverges (or ends) inside this edge: split it.
        const middle = new Node<T>(child.label.slice(0, j), node.depth + j)
        child.label = child.label.slice(j)
        middle.children = new Map([[child.label.charCodeAt(0), child]])
        node.children.set(first, middle)
        node = middle
      } else {
        node = child
      }
      i += j
    }
    return node
  }
}
