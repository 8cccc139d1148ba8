import { test } from 'node:test'
import assert from 'node:assert/strict'
import { calendarMonthClock, clockFor, fixedLengthClock } from './windows.js'

void test('fixed-length windows are aligned to the epoch', () => {
  const clock = fixedLengthClock(60_000)
  assert.equal(clock.index(119_999), 1)
  assert.equal(clock.index(120_000), 2)
  assert.deepEqual([clock.startMs(2), clock.endMs(2)], [120_000, 180_000])
})

void test('calendar months: bounds in UTC, leap February, year change', () => {
  const clock = calendarMonthClock()
  const feb2028 = clock.index(Date.UTC(2028, 1, 15))
  assert.equal(clock.endMs(feb2028) - clock.startMs(feb2028), 29 * 86_400_000)
  const dec = clock.index(Date.UTC(2026, 11, 31, 23, 59, 59, 999))
  assert.equal(clock.index(Date.UTC(2027, 0, 1)), dec + 1)
  assert.equal(clock.endMs(dec), Date.UTC(2027, 0, 1))
  assert.equal(clock.startMs(dec), Date.UTC(2026, 11, 1))
  assert.equal(clock.index(0), 0)
})

void test('calendar months: the cached bounds follow the clock both ways', () => {
  const clock = calendarMonthClock()
  const march = clock.index(Date.UTC(2026, 2, 5))
  assert.equal(clock.index(Date.UTC(2026, 1, 28, 23, 59)), march - 1)
  assert.equal(clock.index(Date.UTC(2026, 2, 31, 23, 59)), march)
  assert.equal(clock.index(Date.UTC(2026, 3, 1)), march + 1)
})

void test('units have their lengths; the shorthand takes seconds', () => {
  assert.equal(clockFor('second').nominalSeconds, 1)
  assert.equal(clockFor('day').nominalSeconds, 86_400)
  assert.equal(clockFor({ seconds: 90 }).endMs(0), 90_000)
  assert.equal(clockFor('month').fixedLength, false)
})
