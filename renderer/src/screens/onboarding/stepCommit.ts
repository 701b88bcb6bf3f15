/** What a step saves when the user presses "Next": resolves false to stay on the step. */
export type StepCommit = () => Promise<boolean>;
