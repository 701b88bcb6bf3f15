/**
 * What the router knows of one route's health: its circuit breaker and the speed the
 * gateway measured itself.
 */
export interface TrySample {
  /** ms from the try's start to its first output; null when it produced none. */
  ttftMs: number | null;
  latencyMs: number;
  completionTokens: number;
}

export interface RouteHealth {
  /** Whether the breaker lets a request through now (no side effect). */
  allows(): boolean;
  /** Takes the right to try: false when the breaker is open or its one half-open probe is out. */
  acquire(): boolean;
  /** The try ended with no verdict on health (busy, a bad request): frees a half-open probe. */
  release(): void;
  success(sample: TrySample): void;
  failure(reason: string): void;
}
