import { describe, expect, it } from 'vitest';
import { createFuelMeter, TIMEOUT_MESSAGE } from './fuel-meter.js';

/** A meter on a clock the test moves by hand. */
function meterAt(start = 1_000) {
  const clock = { now: start };
  return { clock, meter: createFuelMeter(() => clock.now) };
}

describe('fuel meter', () => {
  it('refills until the deadline, then traps with the timeout message and says so', () => {
    const { clock, meter } = meterAt();
    meter.arm(50);
    expect(meter.outOfFuel()).toBeGreaterThan(0);
    clock.now += 49.9;
    expect(() => meter.outOfFuel()).not.toThrow();
    clock.now += 0.1;
    expect(() => meter.outOfFuel()).toThrow(TIMEOUT_MESSAGE);
    expect(meter.timedOut).toBe(true);
    meter.arm(50);
    expect(meter.timedOut).toBe(false);
  });

  it('sizes refills to last about a millisecond: doubles when they run out fast, halves when slow', () => {
    const { clock, meter } = meterAt();
    meter.arm(null);
    const first = meter.outOfFuel(); // no time passed: grows
    const second = meter.outOfFuel();
    expect(second).toBe(first * 2);
    clock.now += 10; // a refill that lasted 10 ms: shrinks
    expect(meter.outOfFuel()).toBe(second / 2);
    clock.now += 1; // about right: stays
    expect(meter.outOfFuel()).toBe(second / 2);
  });

  it('host functions see the deadline too, and no deadline means none', async () => {
    const { clock, meter } = meterAt();
    meter.arm(null);
    clock.now += 1e9;
    expect(() => meter.checkDeadline()).not.toThrow();
    meter.arm(10);
    clock.now += 10;
    expect(() => meter.checkDeadline()).toThrow(TIMEOUT_MESSAGE);
  });

  it('an awaited service loses the race against the deadline (real timers)', async () => {
    const meter = createFuelMeter();
    meter.arm(30);
    const started = performance.now();
    await expect(meter.race(new Promise(() => undefined))).rejects.toThrow(TIMEOUT_MESSAGE);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(meter.timedOut).toBe(true);
    meter.arm(1_000);
    await expect(meter.race(Promise.resolve(7))).resolves.toBe(7);
  });
});
