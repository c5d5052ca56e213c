// After-call-work countdown arithmetic, kept pure so it can be tested with an injected clock.
//
// The server says when ACW ends (`acwUntil`) and when it began (`since`), in its own clock. The
// browser's clock may differ: `skewMs` is browser time minus server time, measured when the
// snapshot arrived, and that measurement includes the snapshot's transit time, so on its own it
// places the deadline late (a 2 s ACW showed "3"). ACW began before the browser heard of it,
// so the deadline is also never later than the moment the state arrived plus the ACW length:
// the countdown takes the earlier of the two and never shows more than the configured length.

/** Browser-clock millisecond at which ACW ends. */
export function acwDeadline({ acwUntil, since, skewMs = 0, receivedAt = null }) {
  const until = Date.parse(acwUntil);
  let deadline = until + skewMs;
  const length = acwLengthMs(acwUntil, since);
  if (receivedAt !== null && length !== null) deadline = Math.min(deadline, receivedAt + length);
  return deadline;
}

/** The configured ACW length in milliseconds (from the server's own two times), or null. */
export function acwLengthMs(acwUntil, since) {
  const length = Date.parse(acwUntil) - Date.parse(since);
  return Number.isFinite(length) && length >= 0 ? length : null;
}

/** Whole seconds left to show at browser time `now`: 0 … the configured length. */
export function secondsLeft(deadline, now, lengthMs = null) {
  let left = Math.ceil((deadline - now) / 1000);
  if (lengthMs !== null) left = Math.min(left, Math.round(lengthMs / 1000));
  return Math.max(0, left);
}
