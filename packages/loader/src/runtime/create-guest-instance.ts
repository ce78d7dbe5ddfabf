import type { GuestInstance, GuestInstanceOptions } from './guest-instance.js';
import { inProcessInstance } from './in-process-instance.js';
import { meteredInstance } from './metered-instance.js';

/**
 * Starts a guest in the mode the options name (one module per mode, behind {@link GuestInstance}).
 * Worker mode is loaded on first use: a page whose plugins run metered (the default where the
 * browser has JSPI) never downloads it.
 */
export function createGuestInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  switch (options.mode) {
    case 'worker':
      return import('./worker-instance.js').then(({ workerInstance }) => workerInstance(options));
    case 'metered':
      return meteredInstance(options);
    case 'in-process':
      return inProcessInstance(options);
  }
}
