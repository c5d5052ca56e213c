/*
 * AICCSupport.js, served by agentdesk: the vendor's page SDK for Web API pop pages.
 *
 * A page loads it with a plain <script> tag, from agentdesk or as a copy saved next to the page,
 * and gets the global `AICCSupport`:
 *   addHandler(name, callback)     Init, Ringing, Talking, Release, Switch, IvrReturn (lvrReturn)
 *   removeHandler(name)
 *   clickToOutbound({mediaType, calledNum})   also returns a Promise of the outcome
 *   getVerifyResult(verifyTypeCode)           {verifyResult: "0".."3"}, or "" for a bad code
 *
 * It talks only to the agentdesk workbench that embeds the page: messages go to that window with
 * its exact origin, never to "*", and messages from any other window or origin are ignored.
 * Which origins are agentdesk's is written into this file when agentdesk serves it, so a saved
 * copy keeps working. Guide for integrators: docs/sdk.md.
 */
(function (global) {
  "use strict";

  // Filled in by agentdesk when it serves this file: its public origin and the origin the file
  // was requested from, so a copy saved on the integrator's server still knows agentdesk.
  var TRUSTED_ORIGINS = __AGENTDESK_ORIGINS__;
  var VERSION = "__AGENTDESK_VERSION__";
  var PROTOCOL = "agentdesk-sdk/1";
  var EVENTS = ["Init", "Ringing", "Talking", "Release", "Switch", "IvrReturn"];
  var MEDIA = ["audio", "video", "email", "whatsapp"];
  var CODE = /^[A-Za-z0-9_]+$/;

  if (global.AICCSupport && global.AICCSupport.__agentdesk) return; // loaded twice

  function log(level, method, text) {
    console.log("[AICCSupport Log] -" + level + "- " + method + " - " + text);
  }

  // The demo page's handlers log a global named `data` they never declare (guide 4.4.6); give
  // them one, but never overwrite a `data` of the page's own.
  var lastData;

  var handlers = {}; // event name → callback
  var delivered = {}; // event name → {callid|"" → highest seq seen by the handler}
  // What a handler registered late may still be given: Init (it describes the session, not a
  // call) and the latest event of the call in progress. A released call leaves nothing behind,
  // so a handler added after the call never hears of it (issue 14.1).
  var initEvent = null;
  var currentCallEvent = null;
  var refusal = null; // {code, message} when the workbench said this page may not use the SDK
  var verifyResults = {}; // verifyTypeCode → "0".."3", for the call in verifyCallid
  var verifyCallid = null;
  var workbench = null; // {window, origin, kind, workNo} once the workbench answered
  var outgoing = 0;
  var waiting = {}; // request id → resolve
  var active = false;

  function canonicalName(name) {
    return name === "lvrReturn" ? "IvrReturn" : name;
  }

  function isOrigin(text) {
    return typeof text === "string" && /^https?:\/\/[^/\s]+$/.test(text);
  }

  function parentOrigin() {
    var ancestors = global.location && global.location.ancestorOrigins;
    return ancestors && ancestors.length ? ancestors[0] : null;
  }

  function trusted(origin) {
    return TRUSTED_ORIGINS.indexOf(origin) >= 0;
  }

  function seenBefore(name, event) {
    var key = event.data && event.data.callid ? event.data.callid : "";
    var seen = delivered[name] || (delivered[name] = {});
    if (typeof event.seq === "number" && seen[key] !== undefined && event.seq <= seen[key]) {
      return true;
    }
    if (typeof event.seq === "number") seen[key] = event.seq;
    return false;
  }

  function remember(name, event) {
    if (name === "Init") initEvent = event;
    else if (name === "Release") currentCallEvent = null;
    else currentCallEvent = event;
  }

  function replayable(name) {
    if (name === "Init") return initEvent;
    return currentCallEvent && currentCallEvent.name === name ? currentCallEvent : null;
  }

  function deliver(name, event) {
    var callback = handlers[name];
    if (!callback) return;
    if (seenBefore(name, event)) return;
    if (global.data === undefined || global.data === lastData) {
      lastData = event.data;
      global.data = lastData;
    }
    try {
      callback(event.data);
    } catch (err) {
      log("Error", name, "handler failed: " + (err && err.message ? err.message : err));
    }
  }

  function send(message) {
    message.protocol = PROTOCOL;
    workbench.window.postMessage(message, workbench.origin);
  }

  function request(message) {
    return new Promise(function (resolve) {
      var id = ++outgoing;
      waiting[id] = resolve;
      message.id = id;
      send(message);
      setTimeout(function () {
        if (waiting[id]) {
          delete waiting[id];
          resolve({ ok: false, code: "timeout", message: "the workbench did not answer" });
        }
      }, 10000);
    });
  }

  function onMessage(event) {
    var message = event.data;
    if (!message || typeof message !== "object" || message.protocol !== PROTOCOL) return;
    if (event.source !== global.parent || !trusted(event.origin)) return;
    if (workbench && event.origin !== workbench.origin) return;
    if (message.type === "welcome" && !refusal) {
      workbench = { window: global.parent, origin: event.origin, kind: message.workbench };
      return;
    }
    if (message.type === "refused" && !workbench && !refusal) {
      refuseSession(message);
      return;
    }
    if (!workbench) return;
    if (message.type === "event" && EVENTS.indexOf(message.name) >= 0) {
      forgetResultsOfOtherCalls(message.data && message.data.callid);
      if (message.name === "IvrReturn" && message.data && CODE.test(message.data.verifyTypeCode || "")) {
        verifyResults[message.data.verifyTypeCode] = String(message.data.verifyResult);
      }
      remember(message.name, message);
      deliver(message.name, message);
    } else if (message.type === "result" && waiting[message.id]) {
      var resolve = waiting[message.id];
      delete waiting[message.id];
      resolve(message.outcome);
    }
  }

  // getVerifyResult answers for the current call: a new call starts again from "0".
  function forgetResultsOfOtherCalls(callid) {
    if (!callid || callid === verifyCallid) return;
    verifyCallid = callid;
    verifyResults = {};
  }

  // The workbench answers the hello of a page it did not open as a Web API page (a GET or POST
  // pop that loads this file) with a refusal: say so once, then stay inert (R-SDK-7).
  function refuseSession(message) {
    var code = typeof message.code === "string" && CODE.test(message.code) ? message.code : "refused";
    var reason = code === "not_webapi" ? "this page is not a Web API pop page of the workbench" : "the workbench refused this page";
    refusal = { ok: false, code: code, message: reason };
    active = false;
    global.removeEventListener("message", onMessage);
    log("Warn", "AICCSupport", "not available here (" + reason + "); AICCSupport does nothing");
  }

  function hello() {
    var target = parentOrigin();
    var candidates = target ? (trusted(target) ? [target] : []) : TRUSTED_ORIGINS;
    if (!candidates.length) return false;
    global.addEventListener("message", onMessage);
    candidates.forEach(function (origin) {
      global.parent.postMessage({ protocol: PROTOCOL, type: "hello", version: VERSION }, origin);
    });
    return true;
  }

  var api = {
    __agentdesk: VERSION,

    addHandler: function (eventName, callback) {
      var name = canonicalName(eventName);
      if (EVENTS.indexOf(name) < 0 || typeof callback !== "function") {
        log("Error", "addHandler", "unknown event " + eventName + " or callback is not a function");
        return;
      }
      handlers[name] = callback;
      log("Info", "addHandler", "add " + eventName + " handler");
      var missed = active && replayable(name);
      if (missed) deliver(name, missed);
    },

    removeHandler: function (eventName) {
      var name = canonicalName(eventName);
      if (EVENTS.indexOf(name) < 0) {
        log("Error", "removeHandler", "unknown event " + eventName);
        return;
      }
      delete handlers[name];
      log("Info", "removeHandler", "remove " + eventName + " handler");
    },

    clickToOutbound: function (outboundParam) {
      var param = outboundParam || {};
      var mediaType = param.mediaType;
      var number = typeof param.calledNum === "string" ? param.calledNum.trim() : String(param.calledNum == null ? "" : param.calledNum).trim();
      function refuse(code, text) {
        log("Error", "clickToOutbound", text);
        return Promise.resolve({ ok: false, code: code, message: text });
      }
      if (refusal) return refuse(refusal.code, refusal.message + ", One-click out call not executed");
      if (!active || !workbench) return refuse("not_in_workbench", "not inside an agentdesk workbench, One-click out call not executed");
      if (MEDIA.indexOf(mediaType) < 0) return refuse("bad_media_type", "mediaType must be one of audio, video, email, whatsapp");
      if (!number) return refuse("bad_number", "calledNum is empty");
      if ((mediaType === "email" || mediaType === "whatsapp") && workbench.kind !== "chat") {
        return refuse("not_available", mediaType + " One-click out call is only available in the online chat workbench");
      }
      log("Info", "clickToOutbound", "execute One-click out call");
      return request({ type: "clickToOutbound", mediaType: mediaType, calledNum: number });
    },

    getVerifyResult: function (verifyTypeCode) {
      if (typeof verifyTypeCode !== "string" || !CODE.test(verifyTypeCode)) return "";
      return { verifyResult: verifyResults[verifyTypeCode] || "0" };
    },
  };

  global.AICCSupport = api;

  if (global.parent === global) {
    log("Warn", "AICCSupport", "not inside an agentdesk workbench (the page is not embedded); AICCSupport does nothing");
    return;
  }
  TRUSTED_ORIGINS = TRUSTED_ORIGINS.filter(isOrigin);
  active = hello();
  if (!active) {
    log("Warn", "AICCSupport", "not inside an agentdesk workbench (the embedding page is not a trusted agentdesk origin); AICCSupport does nothing");
  }
})(window);
