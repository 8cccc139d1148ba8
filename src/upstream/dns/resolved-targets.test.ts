import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hostNamesOf, isAddressLiteral, resolveTargets } from './resolved-targets.js'

void test('IP addresses and the numeric IPv4 forms are addresses; everything else is a name', () => {
  for (const host of ['10.0.0.1', '::1', 'fd00::2', '127.1', '0x7f000001', '2130706433', '0x7f.0.0.1', '017700000001']) assert.equal(isAddressLiteral(host), true, host)
  for (const host of ['localhost', 'api.internal', 'a1.example.com', '1e100.net', 'x0x7f']) assert.equal(isAddressLiteral(host), false, host)
})

void test('the names of a service are listed once, lower-cased', () => {
  assert.deepEqual(hostNamesOf([{ host: 'API.test', port: 80, weight: 1 }, { host: 'api.test', port: 81, weight: 1 }, { host: '10.0.0.1', port: 80, weight: 1 }]), ['api.test'])
})

void test('each address of a name is a target of its own, with the full weight and the name kept for Host and TLS', () => {
  const targets = resolveTargets(
    [{ host: 'api.test', port: 8080, weight: 50 }, { host: '10.0.0.9', port: 8080, weight: 100 }],
    'ipv4',
    (name) => name === 'api.test' ? ['10.0.0.1', '10.0.0.2'] : undefined
  )
  assert.deepEqual(targets, [
    { id: '10.0.0.1:8080', host: '10.0.0.1', port: 8080, weight: 50, hostName: 'api.test' },
    { id: '10.0.0.2:8080', host: '10.0.0.2', port: 8080, weight: 50, hostName: 'api.test' },
    { id: '10.0.0.9:8080', host: '10.0.0.9', port: 8080, weight: 100 }
  ])
})

void test('an IPv6 address of a name gets a bracketed id', () => {
  const [target] = resolveTargets([{ host: 'v6.test', port: 443, weight: 1 }], 'ipv6', () => ['fd00::1'])
  assert.equal(target?.id, '[fd00::1]:443')
  assert.equal(target?.host, 'fd00::1')
})

void test('an unresolved name stays one target on the name (the system resolves it on connect)', () => {
  assert.deepEqual(resolveTargets([{ host: 'later.test', port: 80, weight: 7 }], 'ipv4', () => undefined), [{ id: 'later.test:80', host: 'later.test', port: 80, weight: 7 }])
})

void test('an address reached twice (two names, or a name and a literal) is one target, the first', () => {
  const targets = resolveTargets(
    [{ host: '10.0.0.1', port: 80, weight: 100 }, { host: 'a.test', port: 80, weight: 5 }, { host: 'b.test', port: 80, weight: 6 }],
    'ipv4',
    (name) => name === 'a.test' ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.2']
  )
  assert.deepEqual(targets.map((t) => [t.id, t.weight]), [['10.0.0.1:80', 100], ['10.0.0.2:80', 5]])
})
