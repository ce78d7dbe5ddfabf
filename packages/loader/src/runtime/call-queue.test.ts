import { describe, expect, it } from 'vitest';
import { CallQueue } from './call-queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('CallQueue', () => {
  it('starts a task at once when idle', () => {
    const queue = new CallQueue();
    let started = false;
    void queue.run(async () => {
      started = true;
    });
    expect(started).toBe(true);
  });

  it('runs queued tasks one at a time, in order, passing results and errors through', async () => {
    const queue = new CallQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b failed', 'c']);
  });

  it('turns a task that throws before returning its promise into a rejection, and stays usable', async () => {
    const queue = new CallQueue();
    const bad = (): Promise<string> => {
      throw new Error('synchronous failure');
    };
    await expect(queue.run(bad)).rejects.toThrow('synchronous failure');
    await expect(queue.run(async () => 'next')).resolves.toBe('next');
  });

  it('a task queued while another runs waits for it, and the queue is idle again afterwards', async () => {
    const queue = new CallQueue();
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    let secondStarted = false;
    const second = queue.run(async () => {
      secondStarted = true;
    });
    await tick();
    expect(secondStarted).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(secondStarted).toBe(true);
    await tick();
    let third = false;
    void queue.run(async () => {
      third = true;
    });
    expect(third).toBe(true);
  });
});
