import { describe, expect, it } from 'vitest';
import { CallAbortedError } from './call-stop.js';
import { createFuelMeter, TIMEOUT_MESSAGE } from './fuel-meter.js';

/** A meter on a clock the test moves by hand. */
function meterAt(start = 1_000, sliceMs: number | null = null) {
  const clock = { now: start };
  return { clock, meter: createFuelMeter({ sliceMs, now: () => clock.now }) };
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
    const first = meter.outOfFuel() as number; // no time passed: grows
    const second = meter.outOfFuel() as number;
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

  it('with a slice, returns the refill at once within the slice and a Promise of it once the slice is over', async () => {
    const { clock, meter } = meterAt(1_000, 5);
    meter.arm(1_000);
    expect(typeof meter.outOfFuel()).toBe('number');
    clock.now += 4;
    expect(typeof meter.outOfFuel()).toBe('number');
    clock.now += 1;
    const yielded = meter.outOfFuel();
    expect(yielded).toBeInstanceOf(Promise);
    await expect(yielded).resolves.toBeGreaterThan(0);
    expect(meter.yields).toBe(1);
    // The slice restarts after the yield.
    expect(typeof meter.outOfFuel()).toBe('number');
  });

  it('a yield gives other tasks of the event loop their turn before the guest resumes', async () => {
    const { clock, meter } = meterAt(1_000, 5);
    meter.arm(1_000);
    const order: string[] = [];
    setImmediate(() => order.push('other task'));
    clock.now += 5;
    const yielded = (meter.outOfFuel() as Promise<number>).then(() => order.push('guest resumes'));
    await yielded;
    expect(order).toEqual(['other task', 'guest resumes']);
  });

  it('checks the deadline after the yield: a deadline that passed meanwhile traps as a timeout', async () => {
    const { clock, meter } = meterAt(1_000, 5);
    meter.arm(8);
    clock.now += 6;
    const yielded = meter.outOfFuel() as Promise<number>;
    clock.now += 3; // the other tasks took the rest of the deadline
    await expect(yielded).rejects.toThrow(TIMEOUT_MESSAGE);
    expect(meter.timedOut).toBe(true);
  });

  it('an aborted signal stops the call at its next check (not as a timeout)', async () => {
    const { clock, meter } = meterAt(1_000, 5);
    const controller = new AbortController();
    meter.arm(null, controller.signal);
    expect(typeof meter.outOfFuel()).toBe('number');
    clock.now += 6;
    const yielded = meter.outOfFuel() as Promise<number>;
    controller.abort(new Error('user gave up'));
    await expect(yielded).rejects.toBeInstanceOf(CallAbortedError);
    expect(meter.aborted).toBe(true);
    expect(meter.timedOut).toBe(false);
    expect(() => meter.checkDeadline()).toThrow(/aborted \(user gave up\)/);
  });

  it('a paused deadline (a person being asked) does not expire, and the pause is added back', () => {
    const { clock, meter } = meterAt();
    const deadline = meter.arm(10);
    clock.now += 5;
    const resume = deadline.pause();
    clock.now += 1_000;
    expect(() => meter.checkDeadline()).not.toThrow();
    resume();
    clock.now += 4;
    expect(() => meter.checkDeadline()).not.toThrow();
    clock.now += 1;
    expect(() => meter.checkDeadline()).toThrow(TIMEOUT_MESSAGE);
  });
});
