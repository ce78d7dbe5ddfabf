// The rehearsal's npm registry: verdaccio with its storage in the given folder and no uplink, so
// only what the rehearsal publishes can be installed. Run as its own process by local-registry.ts:
// it listens on a free port of 127.0.0.1, prints `listening <port>`, and exits as soon as its
// standard input closes, which happens when the test process ends for whatever reason (even a
// kill), so the registry never outlives the test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

const folder = process.argv[2];
if (!folder) throw new Error('usage: registry-server.mjs <folder>');

mkdirSync(folder, { recursive: true });
const configPath = join(folder, 'config.yaml');
writeFileSync(
  configPath,
  `storage: ${JSON.stringify(join(folder, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(folder, 'htpasswd'))}
    max_users: 10
uplinks: {}
security:
  api:
    jwt:
      sign:
        expiresIn: 1d
packages:
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
server:
  keepAliveTimeout: 600
web:
  enable: false
max_body_size: 300mb
log: { type: stdout, format: json, level: warn }
`,
);

process.stdin.on('close', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const server = await runServer(configPath);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
