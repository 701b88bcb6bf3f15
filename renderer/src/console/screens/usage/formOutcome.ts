import type { ActionState } from '../../../hooks/useAction';

/** A form's state as a data attribute, so that tests wait for the outcome of their own submit. */
export function outcomeState(action: ActionState): 'pending' | 'error' | 'done' | 'idle' {
  if (action.pending) return 'pending';
  if (action.error) return 'error';
  return action.done ? 'done' : 'idle';
}
