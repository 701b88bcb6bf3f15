/** The console's playground, driven through its data-testids. */
import type { ConsolePage } from './ConsolePage.js';

export interface PlaygroundRun {
  reply: string;
  servedBy: string;
  ttft: string;
  tokens: string;
  cost: string;
}

export class PlaygroundPanel {
  constructor(private readonly console: ConsolePage) {}

  private byTestId(id: string) {
    return this.console.byTestId(id);
  }

  async open(): Promise<void> {
    await this.console.open('playground');
    await this.byTestId('playground-model').waitFor();
  }

  /** Picks the model and the route to pin ('' for the routing rule). */
  async choose(model: string, route = ''): Promise<void> {
    await this.byTestId('playground-model').selectOption(model);
    await this.byTestId('playground-route').selectOption(route);
  }

  private async typeAndSend(prompt: string): Promise<void> {
    await this.byTestId('playground-prompt').fill(prompt);
    await this.byTestId('playground-send').click();
  }

  /** Sends `prompt` and waits for the reply to end and its cost to be known. */
  async send(prompt: string): Promise<PlaygroundRun> {
    await this.typeAndSend(prompt);
    const cost = this.byTestId('playground-cost');
    await cost.filter({ hasText: /\d/ }).waitFor();
    const replies = this.byTestId('playground-turn-assistant');
    return {
      reply: (await replies.last().locator('.chat-text').innerText()).trim(),
      servedBy: (await this.byTestId('playground-served-by').innerText()).trim(),
      ttft: (await this.byTestId('playground-ttft').innerText()).trim(),
      tokens: (await this.byTestId('playground-tokens').innerText()).trim(),
      cost: (await cost.innerText()).trim(),
    };
  }

  /** Sends `prompt` and returns the error the playground shows. */
  async sendRefused(prompt: string): Promise<string> {
    await this.typeAndSend(prompt);
    return (await this.byTestId('playground-error').innerText()).trim();
  }
}
