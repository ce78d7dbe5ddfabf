import { checkManifestElements, DEFAULT_APP_VERSION, parseVersion, type LoadedPlugin, parseCommandResponse, type GuestManifest } from '@diaryx/loader';
import type { PluginPermissions } from '@diaryx/host-fns';
import { type FakeHost, loadTestPlugin } from '@diaryx/testing';
import fc from 'fast-check';
import { permissionGaps } from './host-function-permissions.js';
import { moduleInfo, resolveWasmPath } from './module-info.js';

/** One conformance check's outcome. */
export interface CheckResult {
  name: string;
  /** `warn`: passed, with something the author should know (it does not fail `check`). */
  status: 'pass' | 'warn' | 'fail' | 'skip';
  /** Why it failed, warned or was skipped. */
  detail?: string;
}

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /**
   * The longest any single call may take, in ms (default 2000): the deadline of every call and
   * the limit of the "every call stays under" check, one number for both.
   */
  timeBudgetMs?: number;
  /** The fake host's workspace root, handed to `init` and named by the workspace events (default `/workspace`). */
  workspaceRoot?: string;
  /** Random event payloads to try (default 50). */
  randomRuns?: number;
  /** The Diaryx version the manifest's ui and cli elements are judged for (default `1.4.1`). */
  appVersion?: string;
}

/** The default of {@link ConformanceOptions.timeBudgetMs}. */
export const DEFAULT_TIME_BUDGET_MS = 2_000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** A failure names what check sent, so the author can replay it: `<export> ← <input>: <error>`. */
const sent = (exportName: string, input: string, error: unknown) => `${exportName} ← ${input === '' ? '""' : input}: ${message(error)}`;

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

const PASS_NAME = 'works with only its requested_permissions';

/**
 * The requested-permissions-only pass: the plugin is loaded again with a fake host that grants
 * exactly the manifest's `requested_permissions` (what Diaryx grants after the user consents),
 * given init, every declared command and every sample event; a host call that is denied means the
 * plugin uses a permission it did not request.
 */
async function requestedPermissionsPass(
  wasmPath: string,
  manifest: GuestManifest,
  budget: number,
  options: ConformanceOptions,
  add: (name: string, problems: string[] | null) => void,
): Promise<void> {
  const requested = (manifest.requested_permissions?.defaults ?? {}) as PluginPermissions;
  let loaded: { plugin: LoadedPlugin; host: FakeHost };
  try {
    loaded = await loadTestPlugin(wasmPath, {
      runInWorker: true,
      timeoutMs: budget,
      strict: false,
      failFastAfterTimeout: false,
      permissions: requested,
      ...(options.workspaceRoot === undefined ? {} : { workspaceRoot: options.workspaceRoot }),
    });
  } catch (error) {
    add(PASS_NAME, [sent('manifest', '', error)]);
    return;
  }
  const { plugin, host } = loaded;
  const problems = new Map<string, string>();
  const noteDenials = (what: string) => {
    for (const call of host.calls.splice(0)) {
      if (call.outcome !== 'denied') continue;
      // The checker names the key: "… (read_files on 'a.md')" or "…: read_files on 'a.md'. …".
      const key = /(\w+) on '/.exec(call.message ?? '')?.[1] ?? 'the permission it names';
      const line = `${what}: ${call.name} ${call.input} was denied; add ${key} to requested_permissions (with a reason) if the plugin needs it`;
      if (!problems.has(`${what}|${call.name}`)) problems.set(`${what}|${call.name}`, line);
    }
  };
  const attempt = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch {
      // Failures are judged by the allow-all pass; here only denials count.
    }
    noteDenials(what);
  };
  try {
    host.calls.splice(0);
    await attempt('init', () => plugin.init(host.initContext));
    for (const command of manifest.commands.filter((c) => plugin.declaresCommand(c))) {
      await attempt(`handle_command ← ${JSON.stringify({ command, params: null })}`, () => plugin.handleCommand(command, null));
    }
    if (plugin.hasExport('on_event')) {
      for (const event of host.sampleEvents) {
        await attempt(`on_event ← ${JSON.stringify({ event_type: event.event_type, payload: event.payload })}`, () => plugin.onEvent(event));
      }
    }
  } finally {
    await plugin.close();
  }
  add(PASS_NAME, [...problems.values()]);
}

/**
 * Runs the conformance checks on a plugin with the fake host (in a worker with a deadline):
 * manifest, its ui and cli elements (one the loader would drop fails, a slot the target Diaryx
 * does not know warns), the permissions of the host functions it uses (one not requested fails;
 * `plugin_storage` warns), declared commands, unknown command, every event, imports, time budget,
 * random or malformed event payloads (property-based), and a pass with only the permissions the
 * manifest requests (a denied host call fails it, naming the permission to request). The plugin is first given its
 * workspace root with `init`, as Diaryx does; every workspace event names that root, which the
 * fake host serves. Only what the protocol requires is judged: `get_config` need not echo
 * `set_config` (§2.1, §8.6, D11). Every failure names the input that was sent.
 */
export async function runConformance(path: string, options: ConformanceOptions = {}): Promise<CheckResult[]> {
  const budget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const results: CheckResult[] = [];
  const add = (name: string, problems: string[] | null, warnings: string[] = []) =>
    results.push(
      problems === null
        ? { name, status: 'skip', detail: 'not applicable' }
        : problems.length > 0
          ? { name, status: 'fail', detail: [...problems, ...warnings].join('; ') }
          : warnings.length > 0
            ? { name, status: 'warn', detail: warnings.join('; ') }
            : { name, status: 'pass' },
    );

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
  let host: FakeHost;
  try {
    ({ plugin, host } = await loadTestPlugin(wasmPath, {
      runInWorker: true,
      timeoutMs: budget,
      // As the app does: a guest failure in init or on_event is logged, not raised; every call is judged on its own.
      strict: false,
      failFastAfterTimeout: false,
      ...(options.workspaceRoot === undefined ? {} : { workspaceRoot: options.workspaceRoot }),
    }));
  } catch (error) {
    add('manifest is valid and complete', [sent('manifest', '', error)]);
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
    const appVersion = options.appVersion ?? DEFAULT_APP_VERSION;
    const elements = checkManifestElements(plugin.manifest, appVersion);
    add(
      `ui and cli elements are shown by Diaryx ${appVersion}`,
      elements.filter((p) => p.severity === 'error').map((p) => p.message),
      elements.filter((p) => p.severity === 'warning').map((p) => p.message),
    );
    const gaps = permissionGaps(info.referencedHostFunctions ?? info.hostImports, plugin.manifest);
    add('the host functions it uses have their permission requested', gaps.errors, gaps.warnings);
    // init never fails (§8.3): the guest's errors are ignored, as Diaryx ignores them.
    await timed('init', () => plugin.init(host.initContext));

    const declared = plugin.manifest.commands.filter((c) => plugin.declaresCommand(c));
    const commandProblems: string[] = [];
    for (const command of declared) {
      try {
        await timed(`command ${command}`, () => plugin.handleCommand(command, null));
      } catch (error) {
        commandProblems.push(sent('handle_command', JSON.stringify({ command, params: null }), error));
      }
    }
    add('declared commands answer with a CommandResponse', declared.length === 0 ? null : commandProblems);

    if (plugin.hasExport('handle_command')) {
      const input = '{"command":"__diaryx_check_unknown__","params":null}';
      try {
        const out = await timed('unknown command', () => plugin.call('handle_command', input));
        const response = parseCommandResponse(out === null ? '' : new TextDecoder().decode(out));
        add('an unknown command yields success: false', response.success ? [sent('handle_command', input, 'it answered success: true')] : []);
      } catch (error) {
        add('an unknown command yields success: false', [sent('handle_command', input, error)]);
      }
    } else {
      add('an unknown command yields success: false', null);
    }

    if (plugin.hasExport('on_event')) {
      const eventProblems: string[] = [];
      for (const event of host.sampleEvents) {
        const input = JSON.stringify({ event_type: event.event_type, payload: event.payload });
        try {
          await timed(`event ${event.event_type}`, () => plugin.call('on_event', input));
        } catch (error) {
          eventProblems.push(`${event.event_type}: ${sent('on_event', input, error)}`);
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
              failure = sent('on_event', input.length > 200 ? `${input.slice(0, 200)}…` : input, error);
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

    await requestedPermissionsPass(wasmPath, plugin.manifest, budget, options, add);

    const slow = durations.filter(([, ms]) => ms >= budget).map(([what, ms]) => `${what} took ${Math.round(ms)} ms`);
    add(`every call stays under ${budget} ms`, slow);
  } finally {
    await plugin.close();
  }
  return results;
}
