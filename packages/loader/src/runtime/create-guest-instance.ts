import type { GuestInstance, GuestInstanceOptions } from './guest-instance.js';
import { inProcessInstance } from './in-process-instance.js';
import { meteredInstance } from './metered-instance.js';
import { workerInstance } from './worker-instance.js';

/** Starts a guest in the mode the options name (one module per mode, behind {@link GuestInstance}). */
export function createGuestInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  switch (options.mode) {
    case 'worker':
      return workerInstance(options);
    case 'metered':
      return meteredInstance(options);
    case 'in-process':
      return inProcessInstance(options);
  }
}
