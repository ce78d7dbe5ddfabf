import { commandRequest, outputManifest } from '@diaryx/js-runtime/sdk';

export function manifest(): number {
  return outputManifest({ id: 'diaryx.example.throws-ts', name: 'Throws', version: '0.1.0', description: 'throws', capabilities: ['custom_commands'], commands: ['boom'] });
}

export function handle_command(): number {
  const request = commandRequest();
  if (request.command === 'boom') {
    throw new Error('tag index is corrupt');
  }
  return 0;
}
