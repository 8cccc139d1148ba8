/**
 * The flame graph page's script, inlined into the page (no external files). Plain browser
 * JavaScript: an icicle chart of positioned divs (root on top), click to zoom, search to
 * highlight, hover for details, and a switch that merges the workers' trees by call stack.
 * Reads the frames from the JSON in #tg-data ({ tree: FlameNode } from flame-tree.ts).
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict'
  var ROW = 18
  var data = JSON.parse(document.getElementById('tg-data').textContent)
  var chart = document.getElementById('tg-chart')
  var tip = document.getElementById('tg-tip')
  var crumbs = document.getElementById('tg-crumbs')
  var search = document.getElementById('tg-search')
  var found = document.getElementById('tg-found')
  var mergeBox = document.getElementById('tg-merge')

  // [name, location, plugin, phase, selfUs, children] -> objects with totals and parents.
  function build (raw, parent) {
    var node = { name: raw[0], loc: raw[1], plugin: raw[2], phase: raw[3], self: raw[4], total: raw[4], children: [], parent: parent }
    for (var i = 0; i < raw[5].length; i++) {
      var child = build(raw[5][i], node)
      node.total += child.total
      node.children.push(child)
    }
    return node
  }

  // Workers' subtrees folded into one: frames with the same name and location on the same path add up.
  function mergeWorkers (root) {
    var merged = { name: 'all workers', loc: '', plugin: '', phase: '', self: 0, total: 0, children: [], parent: null }
    function fold (into, from) {
      into.self += from.self
      into.total += from.total
      for (var i = 0; i < from.children.length; i++) {
        var c = from.children[i]
        var same = null
        for (var j = 0; j < into.children.length; j++) {
          var d = into.children[j]
          if (d.name === c.name && d.loc === c.loc) { same = d; break }
        }
        if (same === null) {
          same = { name: c.name, loc: c.loc, plugin: c.plugin, phase: c.phase, self: 0, total: 0, children: [], parent: into }
          into.children.push(same)
        }
        fold(same, c)
      }
    }
    var isWorker = root.children.length > 0 && root.children.every(function (c) { return /^worker \d+$/.test(c.name) })
    var tops = isWorker ? root.children : [root]
    for (var k = 0; k < tops.length; k++) fold(merged, tops[k])
    var newRoot = { name: root.name, loc: '', plugin: '', phase: '', self: root.self, total: root.total, children: [merged], parent: null }
    merged.parent = newRoot
    return newRoot
  }

  var split = build(data.tree, null)
  var root = split
  var zoomed = root
  var query = ''

  function colour (node) {
    if (node.plugin) {
      var h = 0
      for (var i = 0; i < node.plugin.length; i++) h = (h * 31 + node.plugin.charCodeAt(i)) % 360
      return 'hsl(' + h + ',65%,62%)'
    }
    if (node.loc.indexOf('node_modules/') === 0) return 'hsl(48,70%,62%)'
    if (node.loc.indexOf('dist/') === 0 || node.loc.indexOf('src/') === 0) return 'hsl(22,80%,64%)'
    if (node.loc.indexOf('node:') === 0) return 'hsl(205,45%,70%)'
    return 'hsl(0,0%,78%)'
  }

  function matches (node) {
    if (query === '') return false
    var q = query.toLowerCase()
    return node.name.toLowerCase().indexOf(q) !== -1 || node.loc.toLowerCase().indexOf(q) !== -1 || node.plugin.toLowerCase().indexOf(q) !== -1
  }

  function ms (us) { return (us / 1000).toFixed(us < 10000 ? 2 : 1) + ' ms' }
  function pct (us) { return root.total === 0 ? '0 %' : (100 * us / root.total).toFixed(1) + ' %' }

  function render () {
    chart.textContent = ''
    var width = chart.clientWidth
    var ancestors = []
    for (var a = zoomed.parent; a !== null; a = a.parent) ancestors.unshift(a)
    var rows = 0
    var fragment = document.createDocumentFragment()
    // Ancestors of the zoomed frame span the whole width, so a click on one zooms back out.
    for (var i = 0; i < ancestors.length; i++) fragment.appendChild(frame(ancestors[i], 0, width, i, true))
    function place (node, x, w, depth) {
      if (w < 0.5) return
      rows = Math.max(rows, depth + 1)
      fragment.appendChild(frame(node, x, w, depth, false, matches(node)))
      var cx = x
      for (var j = 0; j < node.children.length; j++) {
        var child = node.children[j]
        var cw = node.total === 0 ? 0 : w * child.total / node.total
        place(child, cx, cw, depth + 1)
        cx += cw
      }
    }
    place(zoomed, 0, width, ancestors.length)
    // Counted over the whole tree, so the figure does not change with the zoom.
    var matchedUs = query === '' ? 0 : matchedTotal(root)
    chart.appendChild(fragment)
    chart.style.height = (Math.max(rows, ancestors.length + 1) * ROW + 4) + 'px'
    found.textContent = query === '' ? '' : 'matched ' + ms(matchedUs) + ' (' + pct(matchedUs) + ' of the sampled busy time)'
    crumbs.textContent = ancestors.concat([zoomed]).map(function (n) { return n.name }).join(' › ')
  }

  // A match inside a match is not counted twice (recursion would otherwise pass 100 %).
  function matchedTotal (node) {
    if (matches(node)) return node.total
    var sum = 0
    for (var i = 0; i < node.children.length; i++) sum += matchedTotal(node.children[i])
    return sum
  }

  function frame (node, x, w, depth, ancestor, hit) {
    var div = document.createElement('div')
    div.className = 'tg-frame' + (ancestor ? ' tg-ancestor' : '') + (hit ? ' tg-match' : '')
    div.style.left = x + 'px'
    div.style.width = Math.max(w - 1, 0.5) + 'px'
    div.style.top = (depth * ROW) + 'px'
    div.style.background = hit ? '' : colour(node)
    if (w > 30) div.textContent = node.plugin ? '[' + node.plugin + '] ' + node.name : node.name
    div.tgNode = node
    return div
  }

  chart.addEventListener('click', function (event) {
    var node = event.target.tgNode
    if (!node) return
    zoomed = node
    render()
  })
  chart.addEventListener('mousemove', function (event) {
    var node = event.target.tgNode
    if (!node) { tip.style.display = 'none'; return }
    tip.textContent = ''
    var lines = [node.name, node.loc || '(no source)', node.plugin ? 'plugin: ' + node.plugin : '', node.phase ? 'phase: ' + node.phase : '',
      'self ' + ms(node.self) + ' (' + pct(node.self) + ')', 'total ' + ms(node.total) + ' (' + pct(node.total) + ')']
    for (var i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue
      var line = document.createElement('div')
      line.textContent = lines[i]
      if (i === 0) line.className = 'tg-tip-name'
      tip.appendChild(line)
    }
    tip.style.display = 'block'
    var left = Math.min(event.pageX + 12, document.documentElement.clientWidth - tip.offsetWidth - 8)
    tip.style.left = Math.max(left, 0) + 'px'
    tip.style.top = (event.pageY + 14) + 'px'
  })
  chart.addEventListener('mouseleave', function () { tip.style.display = 'none' })
  search.addEventListener('input', function () { query = search.value.trim(); render() })
  document.getElementById('tg-reset').addEventListener('click', function () { zoomed = root; render() })
  mergeBox.addEventListener('change', function () {
    root = mergeBox.checked ? mergeWorkers(split) : split
    zoomed = root
    render()
  })
  window.addEventListener('resize', render)
  render()
})()
`
