import { isThenable, type MaybePromise } from '../runtime/maybe-async.js';
import type { PermissionChecker, PermissionDecision, PermissionKey } from './types.js';

/** What an {@link askingChecker} asks the user about. */
export interface PermissionQuestion {
  pluginId: string;
  permission: PermissionKey;
  /** The target of the check that led to the question (a path, a URL, `plugin:command`). */
  target: string;
  /** What the wrapped checker answered: `not_configured` or `unavailable`. */
  decision: PermissionDecision & { allowed: false };
}

/**
 * Asks the user whether a plugin may use a permission; true allows it. It is asked at most once
 * per plugin and permission key: the answer holds for every later target. A Promise is awaited
 * (the plugin call's deadline is paused meanwhile).
 */
export type PermissionAsker = (question: PermissionQuestion) => MaybePromise<boolean>;

const ALLOWED: PermissionDecision = Object.freeze({ allowed: true, reason: 'allowed' });

function refusal(pluginId: string, key: PermissionKey, target: string, why: string): PermissionDecision {
  return { allowed: false, reason: 'denied', message: `Permission denied for plugin '${pluginId}': ${key} on '${target}' (${why})` };
}

/**
 * Wraps a checker so that the user decides what the rules leave open, as the Rust CLI's terminal
 * wrapper does (PROTOCOL §6.3): an `allowed` or `denied` answer of `inner` is final; on
 * `not_configured` or `unavailable`, `plugin_storage` is allowed and any other permission is
 * asked with `ask`, once per (plugin, permission key): the answer is kept for the checker's
 * lifetime (concurrent checks share one question). A question that throws or rejects counts as no.
 *
 * @example
 * const permissions = askingChecker(frontmatterChecker(fs), ({ pluginId, permission }) =>
 *   window.confirm(`Allow ${pluginId} to ${permission.replace('_', ' ')}?`));
 */
export function askingChecker(inner: PermissionChecker, ask: PermissionAsker): PermissionChecker {
  const answers = new Map<string, MaybePromise<boolean>>();
  const answerOf = (question: PermissionQuestion): MaybePromise<boolean> => {
    const key = `${question.pluginId}\0${question.permission}`;
    const known = answers.get(key);
    if (known !== undefined) return known;
    let answer: MaybePromise<boolean>;
    try {
      const asked = ask(question);
      answer = isThenable(asked) ? Promise.resolve(asked).then((yes) => yes === true, () => false) : asked === true;
    } catch {
      answer = false;
    }
    answers.set(key, answer);
    if (isThenable(answer)) void answer.then((yes) => answers.set(key, yes));
    return answer;
  };
  const decide = (decision: PermissionDecision, pluginId: string, permission: PermissionKey, target: string): MaybePromise<PermissionDecision> => {
    if (decision.allowed || decision.reason === 'denied') return decision;
    if (permission === 'plugin_storage') return ALLOWED;
    const toDecision = (yes: boolean) => (yes ? ALLOWED : refusal(pluginId, permission, target, 'the user said no when asked'));
    const answer = answerOf({ pluginId, permission, target, decision });
    return isThenable(answer) ? Promise.resolve(answer).then(toDecision) : toDecision(answer);
  };
  return {
    check(pluginId, permission, target) {
      const decision = inner.check(pluginId, permission, target);
      return isThenable(decision)
        ? Promise.resolve(decision).then((d) => decide(d, pluginId, permission, target))
        : decide(decision, pluginId, permission, target);
    },
  };
}
