// Keyboard shortcuts of the toolbar (listed in the help overlay, opened with "?"), and arrow-key
// navigation across pop tabs (the WAI-ARIA tabs pattern: roving focus, Home/End).
const SHORTCUTS = { a: ["answer"], h: ["hangup"], o: ["hold", "unhold"], r: ["idle"], b: ["busy"] };
const help = document.getElementById("shortcuts");

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
}

function press(actions) {
  for (const action of actions) {
    const button = document.querySelector(`#toolbar button[data-action="${action}"]`);
    if (button && !button.disabled) return button.click();
  }
}

document.addEventListener("keydown", (event) => {
  if (event.altKey && !event.ctrlKey && !event.metaKey) {
    const actions = SHORTCUTS[event.key.toLowerCase()] || SHORTCUTS[event.code?.replace("Key", "").toLowerCase()];
    if (actions) {
      event.preventDefault();
      press(actions);
    }
    return;
  }
  if (event.key === "?" && !typing(event.target) && !help.open) {
    event.preventDefault();
    help.showModal();
  }
});
document.querySelector("[data-shortcuts-open]").addEventListener("click", () => help.showModal());

document.getElementById("pop-tabs").addEventListener("keydown", (event) => {
  const tabs = [...event.currentTarget.querySelectorAll('[role="tab"]')];
  const index = tabs.indexOf(document.activeElement);
  if (index < 0) return;
  const next = {
    ArrowRight: (index + 1) % tabs.length,
    ArrowLeft: (index - 1 + tabs.length) % tabs.length,
    Home: 0,
    End: tabs.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  tabs[next].focus();
  tabs[next].click();
});
