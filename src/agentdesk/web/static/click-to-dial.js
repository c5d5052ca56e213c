// Click-to-dial from URL GET / URL POST pop pages (guide 2.4), without AICCSupport.js:
//   top.postMessage(JSON.stringify({name: 'callout', param: ['88880523', 'audio']}), origin);
//   top.postMessage({name: 'callout', param: {number: '88880523', mode: 'video'}}, origin);
// The caller decides which frames may ask (event.source) and from which origin; this module
// reads the request and checks the number against the server's rule and the mode.

const MODES = ["audio", "video"];

/** {number, mode} of a callout message (object or JSON text), or null if it is none. */
export function calloutOf(data) {
  let message = data;
  if (typeof message === "string") {
    try {
      message = JSON.parse(message);
    } catch {
      return null;
    }
  }
  if (!message || typeof message !== "object" || message.name !== "callout") return null;
  const param = message.param;
  const [number, mode] = Array.isArray(param) ? param : [param?.number, param?.mode];
  return { number: String(number ?? "").trim(), mode: mode ?? "audio" };
}

/**
 * Place the call a pop frame asked for: only when the message came from `expectedOrigin`, is a
 * callout, and names a valid number (`phoneNumber`, the server's rule) and mode.
 */
export function handleCallout(event, expectedOrigin, { phoneNumber, dial }) {
  if (event.origin !== expectedOrigin) return;
  const callout = calloutOf(event.data);
  if (!callout) return;
  if (!phoneNumber.test(callout.number) || !MODES.includes(callout.mode)) {
    console.warn("agentdesk: callout refused: invalid number or mode", callout);
    return;
  }
  dial(callout.number, callout.mode).catch(() => {});
}
