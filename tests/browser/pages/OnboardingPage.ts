import type { Locator, Page } from 'playwright-core';

export type OnboardingStep =
  'hardware' | 'model' | 'benchmark' | 'network' | 'schedule' | 'prices' | 'finish';

/** The first-run setup. */
export class OnboardingPage {
  constructor(private readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('onboarding');
  }

  step(step: OnboardingStep): Locator {
    return this.page.getByTestId(`onboarding-step-${step}`);
  }

  /** Presses "Next" and waits for `step`. */
  async next(step: OnboardingStep): Promise<void> {
    await this.page.getByTestId('onboarding-next').click();
    await this.step(step).waitFor();
  }

  async finish(): Promise<void> {
    await this.page.getByTestId('onboarding-finish').click();
  }

  get hardwareSummary(): Locator {
    return this.page.getByTestId('hardware-summary');
  }

  /** An error in the current step. */
  stepError(step: OnboardingStep): Locator {
    return this.step(step).getByTestId('error-message').first();
  }

  /** Whichever of the step's content or its error shows first. */
  async settled(step: OnboardingStep, content: Locator): Promise<'content' | 'error'> {
    await content.or(this.stepError(step)).first().waitFor();
    return (await content.isVisible()) ? 'content' : 'error';
  }

  model(id: string): Locator {
    return this.page.getByTestId(`onboarding-model-${id}`);
  }

  async runBenchmark(): Promise<void> {
    await this.page.getByTestId('benchmark-run').click();
  }

  get benchmarkTokensPerSecond(): Locator {
    return this.page.getByTestId('benchmark-tps');
  }

  get networkLinked(): Locator {
    return this.page.getByTestId('network-linked');
  }

  async chooseMode(mode: 'idle' | 'always' | 'scheduled'): Promise<void> {
    await this.page.getByTestId(`onboarding-mode-${mode}`).check();
  }

  async setIdleMinutes(minutes: number): Promise<void> {
    await this.page.getByTestId('onboarding-idle').fill(String(minutes));
  }

  async setPrices(prompt: number, completion: number): Promise<void> {
    await this.page.getByTestId('onboarding-price-prompt').fill(String(prompt));
    await this.page.getByTestId('onboarding-price-completion').fill(String(completion));
  }
}
