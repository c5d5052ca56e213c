// Type declarations for AICCSupport.js as served by agentdesk (see docs/sdk.md).

declare namespace AICCSupport {
  type EventName = "Init" | "Ringing" | "Talking" | "Release" | "Switch" | "IvrReturn" | "lvrReturn";

  interface EventData {
    /** Init carries only workNo. */
    workNo: string;
    callerNum?: string;
    calledNum?: string;
    callid?: string;
    mediaType?: "audio" | "video" | "wechat" | "email" | "whatsapp" | "web";
    /** "0" inbound, "1" outbound. */
    callType?: "0" | "1";
    /** The call's attached data [随路数据], as JSON text. */
    calldata?: string;
    /** agentdesk: increases with every event of a call; a handler never sees one twice. */
    seq?: number;
    /** IvrReturn: the verification method and its result. */
    verifyTypeCode?: string;
    verifyResult?: "0" | "1" | "2" | "3";
  }

  interface OutboundParam {
    mediaType: "audio" | "video" | "email" | "whatsapp";
    calledNum: string;
  }

  /** agentdesk: what clickToOutbound's Promise resolves to (it never rejects). */
  type Outcome =
    | { ok: true; callid: string }
    | { ok: false; code: "not_in_workbench" | "not_webapi" | "bad_media_type" | "bad_number" | "not_available" | "refused" | "timeout"; message: string };

  function addHandler(eventName: EventName, callback: (eventData: EventData) => void): void;
  function removeHandler(eventName: EventName): void;
  function clickToOutbound(outboundParam: OutboundParam): Promise<Outcome>;
  function getVerifyResult(verifyTypeCode: string): { verifyResult: "0" | "1" | "2" | "3" } | "";
}
