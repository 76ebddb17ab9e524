/**
 * The longest delay Node's timers take, in milliseconds (2^31 - 1, about 24.8 days); given more,
 * they warn and fire after 1 ms, so every configurable delay is checked against it.
 *
 * @example
 * ```ts
 * if (ms > MAX_TIMER_MS) throw new RangeError("too long for a timer");
 * ```
 */
export const MAX_TIMER_MS = 2_147_483_647;
