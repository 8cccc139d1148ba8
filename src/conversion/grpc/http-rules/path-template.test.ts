import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { compileTemplate, TemplateError } from './path-template.js'

describe('HTTP rule path templates', () => {
  it('matches literals and single-segment variables, percent-decoding the values', () => {
    const template = compileTemplate('/v1/shops/{shop}/orders/{order.id}')
    assert.deepEqual(template.variables.map((v) => v.fieldPath), [['shop'], ['order', 'id']])
    assert.deepEqual(template.match('/v1/shops/a%20b/orders/42'), ['a b', '42'])
    assert.equal(template.match('/v1/shops/a/orders'), undefined)
    assert.equal(template.match('/v1/shops/a/b/orders/1'), undefined, 'a variable is one segment by default')
  })

  it('binds multi-segment variables, keeping encoded slashes', () => {
    const template = compileTemplate('/v1/{name=shelves/*/books/*}')
    assert.deepEqual(template.match('/v1/shelves/1/books/a%2Fb'), ['shelves/1/books/a%2Fb'])
    assert.equal(template.match('/v1/shelves/1'), undefined)
    assert.deepEqual(compileTemplate('/files/{path=**}').match('/files/a/b/c.txt'), ['a/b/c.txt'])
  })

  it('matches a verb after the last segment and wildcards outside variables', () => {
    assert.deepEqual(compileTemplate('/v1/orders/{id}:cancel').match('/v1/orders/7:cancel'), ['7'])
    assert.equal(compileTemplate('/v1/orders/{id}:cancel').match('/v1/orders/7'), undefined)
    assert.deepEqual(compileTemplate('/v1/*/items/{id}').match('/v1/anything/items/3'), ['3'])
    assert.equal(compileTemplate('/v1/*/items/{id}').literalCount, 2)
  })

  it('refuses templates outside the grammar, saying why', () => {
    const reason = (text: string): string => {
      try {
        compileTemplate(text)
      } catch (error) {
        if (error instanceof TemplateError) return error.message
        throw error
      }
      return 'accepted'
    }
    assert.equal(reason('v1/x'), "'v1/x' must start with '/'")
    assert.equal(reason('/v1/**/x'), "'**' must be the last segment of '/v1/**/x'")
    assert.equal(reason('/v1/{id'), "unbalanced braces in '/v1/{id'")
    assert.equal(reason('/v1//x'), "empty segment in '/v1//x'")
    assert.equal(reason('/v1/{a-b}'), "bad field path in '{a-b}' of '/v1/{a-b}'")
    assert.equal(reason('/v1/{id}/{id}'), "a field is bound twice in '/v1/{id}/{id}'")
  })
})
