// The phone-number rule is the server's (telephony): pages that check a number in the browser
// get it from the server as `data-phone-pattern` and never write a rule of their own, so the
// browser refuses exactly what the server would.

/** The server's phone-number rule, from the first `[data-phone-pattern]` element of the page. */
export function phoneNumberRule(root = document) {
  const holder = root.querySelector("[data-phone-pattern]");
  if (!holder?.dataset.phonePattern) throw new Error("agentdesk: the page carries no data-phone-pattern");
  return new RegExp(holder.dataset.phonePattern);
}
