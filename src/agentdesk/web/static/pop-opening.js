// Opening a pop page the way the server described it: the server builds (and signs) the final
// GET URL or the POST form fields, this module only loads them, into an iframe or a window of
// its own. The workbench (pops.js) and "Try it" of the screen-pop configuration (screen-pop-try.js)
// both open pages through here, so a page opens the same way in both.

// Embedded pages in the workbench: no top navigation, so they cannot take the workbench away.
export const WORKBENCH_SANDBOX =
  "allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-downloads";
// "Try it" runs inside a configuration dialog: no downloads, and windows the page opens stay
// sandboxed like the page.
export const TRY_IT_SANDBOX = "allow-scripts allow-forms allow-same-origin allow-popups";

/** An empty iframe for a pop page, named so that a POST form can target it. */
export function popFrame({ name, title, sandbox }) {
  const frame = document.createElement("iframe");
  frame.name = name;
  frame.title = title;
  frame.setAttribute("sandbox", sandbox);
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  return frame;
}

/** A hidden form POSTed into `target` (a frame or window name): nothing goes in the URL. */
export function postForm(url, fields, target) {
  const form = document.createElement("form");
  form.method = "POST";
  form.action = url;
  form.target = target;
  form.hidden = true;
  for (const [name, value] of fields) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  form.remove();
}

/**
 * Put `frame` into `container` and load the pop into it. `onLoad` hears the page's own load,
 * not the blank document a frame without `src` starts with.
 */
export function loadInFrame(pop, frame, container, onLoad = null) {
  if (pop.method === "GET") {
    if (onLoad) frame.addEventListener("load", onLoad);
    frame.src = pop.url; // before it is in the document: one navigation, no about:blank first
    container.append(frame);
    return frame;
  }
  container.append(frame);
  postForm(pop.url, pop.fields, frame.name);
  if (onLoad) frame.addEventListener("load", onLoad); // the form's navigation is asynchronous
  return frame;
}

/** Open the pop in the window named `name`; null when the browser blocked the pop-up. */
export function openInWindow(pop, name) {
  // Open blank first so the page gets no handle on the opener (opener = null).
  const win = window.open("", name);
  if (!win) return null;
  win.opener = null;
  if (pop.method === "GET") win.location.href = pop.url;
  else postForm(pop.url, pop.fields, name);
  return win;
}
