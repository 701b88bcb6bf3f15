/**
 * Admission of one task under its key's policy: the worst case it can be billed for (its
 * prompt's bound plus its completion budget, at the dearest route its rule allows) is
 * counted and reserved before anything is dispatched.
 */
import { requestedMaxTokens } from '../../common/openai.js';
import { priceJob } from '../../common/protocol.js';
import { worstCaseTokens } from '../accounting/usageBounds.js';
import type { Router } from '../routing/router.js';
import { taskModel, type Task } from '../routing/route.js';
import type { ApiKeyInfo } from '../store/types.js';
import type { Admission, Policy } from './policy.js';

export async function admitTask(
  policy: Policy,
  router: Router,
  key: ApiKeyInfo,
  task: Task,
  body: Record<string, unknown>,
  pin: string | undefined,
): Promise<Admission> {
  const { prompt, completion } = worstCaseTokens(task);
  const admission = await policy.admit(key, () => {
    const price = router.worstPrice(key.orgId, taskModel(task), pin);
    return {
      tokens: prompt + completion,
      nanos: priceJob(price, prompt, completion, 0).chargedNanos,
    };
  });
  // A chat request with no budget of its own is held to what it reserved.
  if (admission.bounded && task.kind === 'chat' && requestedMaxTokens(task.request) === undefined) {
    task.request.max_tokens = completion;
    body.max_tokens = completion;
  }
  return admission;
}
