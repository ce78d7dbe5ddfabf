import { describe, expect, it } from 'vitest';
import { afterPendingTasks } from './after-pending-tasks.js';

describe('afterPendingTasks', () => {
  it('resolves with the value only after the tasks already queued have run', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('queued task'));
    void Promise.resolve().then(() => order.push('microtask'));
    const value = await afterPendingTasks(42n);
    order.push('answer');
    expect(value).toBe(42n);
    expect(order).toEqual(['microtask', 'queued task', 'answer']);
  });
});
