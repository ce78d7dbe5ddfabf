import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A running local registry (verdaccio, no uplink) and a token that may publish to it. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** An `_authToken` of a user created for the rehearsal. */
  readonly token: string;
  /** What the registry printed so far (warnings and errors), for failure messages. */
  log(): string;
  /** Stops the registry process (also happens by itself when this process ends). */
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./registry-server.mjs', import.meta.url));

/**
 * Starts verdaccio with its storage under `folder` on a free port of 127.0.0.1 and creates a
 * publishing user. The registry process exits when this process's end of its stdin closes.
 */
export async function startLocalRegistry(folder: string): Promise<LocalRegistry> {
  const child = spawn(process.execPath, [SERVER, folder], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const stop = () => stopProcess(child);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`verdaccio did not start within 30 s:\n${log}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const match = /listening (\d+)/.exec(log);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`verdaccio exited with code ${code} before listening:\n${log}`));
      });
    });
    const url = `http://127.0.0.1:${port}/`;
    const response = await fetch(new URL('-/user/org.couchdb.user:rehearsal', url), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rehearsal', password: 'rehearsal-password', type: 'user', roles: [] }),
    });
    const body = (await response.json()) as { token?: string; error?: string };
    if (!response.ok || !body.token) throw new Error(`could not create the publishing user on ${url}: ${response.status} ${JSON.stringify(body)}`);
    return { url, token: body.token, stop, log: () => log };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

