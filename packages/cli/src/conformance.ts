import { parseVersion, type LoadedPlugin, parseCommandResponse, type GuestManifest } from '@diaryx/loader';
import { loadTestPlugin } from '@diaryx/testing';
import fc from 'fast-check';
import { moduleInfo, resolveWasmPath } from './module-info.js';

/** One conformance check's outcome. */
export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  detail?: string;
}

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** The longest any single call may take, in ms (default 2000). */
  timeBudgetMs?: number;
  /** Random event payloads to try (default 50). */
  randomRuns?: number;
}

const EVENTS: Array<[string, unknown]> = [
  ['workspace_opened', { workspace_root: '/ws' }],
  ['workspace_closed', { workspace_root: '/ws' }],
  ['workspace_changed', { changed_paths: ['a.md'], workspace_root: '/ws' }],
  ['workspace_committed', { workspace_root: '/ws' }],
  ['file_saved', { path: 'a.md' }],
  ['file_created', { path: 'a.md' }],
  ['file_deleted', { path: 'a.md' }],
  ['file_moved', { new_path: 'b.md', old_path: 'a.md' }],
];

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function manifestProblems(m: GuestManifest): string[] {
  const problems: string[] = [];
  if (m.protocol_version !== 1) problems.push(`protocol_version ${m.protocol_version} is not supported (1)`);
  for (const field of ['id', 'name', 'version', 'description'] as const) if (m[field].trim() === '') problems.push(`\`${field}\` is empty`);
  if (m.id.includes(':')) problems.push('`id` contains ":" (storage keys are "<id>:<key>", so it can collide)');
  if (m.min_app_version !== undefined && parseVersion(m.min_app_version) === null) problems.push(`min_app_version "${m.min_app_version}" does not parse (major.minor[.patch])`);
  if (m.commands.length > 0 && !m.capabilities.includes('custom_commands')) problems.push('declares commands without the custom_commands capability (Diaryx never routes them)');
  const requested = Object.keys(m.requested_permissions?.defaults ?? {});
  const missing = requested.filter((key) => !m.requested_permissions?.reasons[key]);
  if (missing.length > 0) problems.push(`requested permissions without a reason: ${missing.join(', ')}`);
  return problems;
}

/**
 * Runs the conformance checks on a plugin with the fake host (allow-all, in a worker with a
 * deadline): manifest, declared commands, unknown command, every event, config round trip,
 * imports, time budget, and random or malformed event payloads (property-based).
 */
export async function runConformance(path: string, options: ConformanceOptions = {}): Promise<CheckResult[]> {
  const budget = options.timeBudgetMs ?? 2_000;
  const results: CheckResult[] = [];
  const add = (name: string, problems: string[] | null) =>
    results.push(problems === null ? { name, status: 'skip', detail: 'not applicable' } : problems.length === 0 ? { name, status: 'pass' } : { name, status: 'fail', detail: problems.join('; ') });

  const wasmPath = await resolveWasmPath(path);
  let info;
  try {
    info = await moduleInfo(wasmPath);
  } catch (error) {
    add('module compiles and imports only Diaryx host functions', [message(error)]);
    return results;
  }
  add('module compiles and imports only Diaryx host functions', info.unknownImports.map((i) => `unknown import ${i}`));
  let plugin: LoadedPlugin;
  try {
    ({ plugin } = await loadTestPlugin(wasmPath, { runInWorker: true, timeoutMs: budget + 1_000 }));
  } catch (error) {
    add('manifest is valid and complete', [message(error)]);
    return results;
  }
  const durations: Array<[string, number]> = [];
  const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      durations.push([what, performance.now() - started]);
    }
  };
  try {
    add('manifest is valid and complete', manifestProblems(plugin.manifest));

    const declared = plugin.manifest.commands.filter((c) => plugin.declaresCommand(c));
    const commandProblems: string[] = [];
    for (const command of declared) {
      try {
        await timed(`command ${command}`, () => plugin.handleCommand(command, null));
      } catch (error) {
        commandProblems.push(`${command}: ${message(error)}`);
      }
    }
    add('declared commands answer with a CommandResponse', declared.length === 0 ? null : commandProblems);

    if (plugin.hasExport('handle_command')) {
      try {
        const out = await timed('unknown command', () => plugin.call('handle_command', '{"command":"__diaryx_check_unknown__","params":null}'));
        const response = parseCommandResponse(out === null ? '' : new TextDecoder().decode(out));
        add('an unknown command yields success: false', response.success ? ['it answered success: true'] : []);
      } catch (error) {
        add('an unknown command yields success: false', [message(error)]);
      }
    } else {
      add('an unknown command yields success: false', null);
    }

    if (plugin.hasExport('on_event')) {
      const eventProblems: string[] = [];
      for (const [type, payload] of EVENTS) {
        try {
          await timed(`event ${type}`, () => plugin.call('on_event', JSON.stringify({ event_type: type, payload })));
        } catch (error) {
          eventProblems.push(`${type}: ${message(error)}`);
        }
      }
      add('every event type is accepted', eventProblems);
      let failure: string | null = null;
      try {
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.jsonValue().map((payload) => JSON.stringify({ event_type: 'file_saved', payload })), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), async (input) => {
            try {
              await plugin.call('on_event', input);
              return true;
            } catch (error) {
              failure = `${JSON.stringify(input).slice(0, 120)} → ${message(error)}`;
              return false;
            }
          }),
          { numRuns: options.randomRuns ?? 50, endOnFailure: true },
        );
        add('survives random and malformed event payloads', []);
      } catch {
        add('survives random and malformed event payloads', [failure ?? 'a payload made on_event fail']);
      }
    } else {
      add('every event type is accepted', null);
      add('survives random and malformed event payloads', null);
    }

    if (plugin.hasExport('set_config') && plugin.hasExport('get_config')) {
      try {
        const config = { diaryx_check: 'round trip ✓' };
        await plugin.setConfig(config);
        const out = await timed('get_config', () => plugin.call('get_config', ''));
        const echoed: unknown = out === null ? null : JSON.parse(new TextDecoder().decode(out));
        add('get_config returns what set_config stored', JSON.stringify(echoed) === JSON.stringify(config) ? [] : [`get_config answered ${JSON.stringify(echoed)}`]);
      } catch (error) {
        add('get_config returns what set_config stored', [message(error)]);
      }
    } else {
      add('get_config returns what set_config stored', null);
    }

    const slow = durations.filter(([, ms]) => ms > budget).map(([what, ms]) => `${what} took ${Math.round(ms)} ms`);
    add(`every call stays under ${budget} ms`, slow);
  } finally {
    await plugin.close();
  }
  return results;
}
