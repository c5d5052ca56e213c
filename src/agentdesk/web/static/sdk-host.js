// The workbench side of the protocol with AICCSupport.js ("agentdesk-sdk/1"), written once: the
// audio/video workbench (pops.js) and "Try it" of the screen-pop configuration (screen-pop-try.js)
// are both hosts. The messages, their fields and the rules are in docs/sdk-protocol.md.
//
// A host talks only to the Web API frames it opened itself (adopt): a message counts when
// event.source is one of those windows AND event.origin is the origin that frame was opened
// for, and every message it sends names that origin as its target (never "*"). It answers a
// hello with welcome, Init and the latest event of the call in progress (replay), sends call
// events with a sequence number per call, and answers clickToOutbound with a result.

export const SDK_PROTOCOL = "agentdesk-sdk/1";
export const CALL_EVENTS = ["Ringing", "Talking", "Release"];
const DIALLABLE = ["audio", "video"];
const CHAT_ONLY = ["email", "whatsapp"];

/** Whether `data` is a message of this protocol (any other postMessage is not ours). */
export function isSdkMessage(data) {
  return !!data && typeof data === "object" && data.protocol === SDK_PROTOCOL;
}

/**
 * A pop frame that is not a Web API page (URL GET / URL POST) and loads AICCSupport.js gets a
 * refusal instead of silence, so the SDK can tell the integrator why no event will come.
 * True when the message was an SDK message from `expectedOrigin` (handled here).
 */
export function refuseHello(event, expectedOrigin) {
  if (event.origin !== expectedOrigin || !isSdkMessage(event.data)) return false;
  if (event.data.type === "hello") {
    event.source.postMessage({ protocol: SDK_PROTOCOL, type: "refused", code: "not_webapi" }, expectedOrigin);
  }
  return true;
}

export class SdkHost {
  /**
   * @param {object} options
   * @param {string} options.workbench   the kind named in welcome ("audio_video")
   * @param {() => string} options.workNo  the agent's work number, for Init
   * @param {RegExp} options.phoneNumber  the server's phone-number rule (phone-rule.js)
   * @param {(number: string, mediaType: string) => Promise<object>} options.placeCall
   *   resolves with the outcome ({ok: true, callid} or a refusal); a rejection is "refused"
   * @param {(direction: "in"|"out", message: object) => void} [options.onTraffic]
   */
  constructor({ workbench, workNo, phoneNumber, placeCall, onTraffic = () => {} }) {
    this.kind = workbench;
    this.workNo = workNo;
    this.phoneNumber = phoneNumber;
    this.placeCall = placeCall;
    this.onTraffic = onTraffic;
    this.frames = new Map(); // contentWindow → {origin, ready}
    this.callSeqs = new Map(); // callid → events sent so far
    this.current = null; // the latest event of the call in progress, replayed on hello
  }

  /** Accept messages from this Web API frame, opened for a page of `origin`. */
  adopt(win, origin) {
    this.frames.set(win, { origin, ready: false });
  }

  /** Whether `win` is one of this host's frames. */
  owns(win) {
    return this.frames.has(win);
  }

  /** Listen on `target` (the host window); returns the function that stops listening. */
  listen(target = window) {
    const listener = (event) => this.receive(event);
    target.addEventListener("message", listener);
    return () => target.removeEventListener("message", listener);
  }

  /** Handle a message event; true when it came from one of this host's frames. */
  receive(event) {
    const frame = this.frames.get(event.source);
    if (frame === undefined) return false;
    if (event.origin !== frame.origin || !isSdkMessage(event.data)) return true;
    const message = event.data;
    this.onTraffic("in", message);
    if (message.type === "hello") this.welcome(event.source, frame);
    else if (message.type === "clickToOutbound" && frame.ready) this.outbound(event.source, frame, message);
    return true;
  }

  /** Send Init to every page that said hello. */
  sendInit() {
    this.broadcast(this.initEvent());
  }

  /**
   * Send a call event (Ringing, Talking, Release) to every page that said hello. `call` holds
   * the call fields (callerNum, calledNum, callid, mediaType, callType, workNo, calldata as JSON
   * text); the host adds `seq`, 1, 2, 3… within the call.
   */
  emit(name, call) {
    const callid = call.callid ?? "";
    const seq = (this.callSeqs.get(callid) || 0) + 1;
    this.callSeqs.set(callid, seq);
    const message = { type: "event", name, seq, data: { ...call, seq } };
    this.current = name === "Release" ? null : message;
    this.broadcast(message);
  }

  /**
   * Send a verification result [身份认证结果] as IvrReturn to every page that said hello: `result`
   * holds verifyTypeCode, verifyResult, verifyReturn1..3 and callid; it takes the next `seq` of
   * its call, and is not replayed on hello (the page asks getVerifyResult instead).
   */
  emitIvrReturn(result) {
    const callid = result.callid ?? "";
    const seq = (this.callSeqs.get(callid) || 0) + 1;
    this.callSeqs.set(callid, seq);
    this.broadcast({ type: "event", name: "IvrReturn", seq, data: { ...result, seq } });
  }

  // ---------------------------------------------------------------- inside

  initEvent() {
    return { type: "event", name: "Init", seq: 0, data: { workNo: String(this.workNo() ?? "") } };
  }

  post(target, frame, message) {
    const full = { protocol: SDK_PROTOCOL, ...message };
    target.postMessage(full, frame.origin);
    this.onTraffic("out", full);
  }

  broadcast(message) {
    for (const [target, frame] of this.frames) if (frame.ready) this.post(target, frame, message);
  }

  welcome(target, frame) {
    frame.ready = true;
    this.post(target, frame, { type: "welcome", workbench: this.kind });
    this.post(target, frame, this.initEvent());
    if (this.current) this.post(target, frame, this.current);
  }

  async outbound(target, frame, message) {
    const reply = (outcome) => this.post(target, frame, { type: "result", id: message.id, outcome });
    reply(await this.outboundOutcome(message));
  }

  async outboundOutcome(message) {
    const number = String(message.calledNum ?? "").trim();
    const media = message.mediaType;
    if (CHAT_ONLY.includes(media)) {
      return { ok: false, code: "not_available", message: `${media} needs the online chat workbench` };
    }
    if (!DIALLABLE.includes(media)) {
      return { ok: false, code: "bad_media_type", message: "mediaType must be audio or video here" };
    }
    if (!this.phoneNumber.test(number)) return { ok: false, code: "bad_number", message: "invalid number" };
    try {
      return await this.placeCall(number, media);
    } catch (err) {
      return { ok: false, code: "refused", message: err.message };
    }
  }
}
