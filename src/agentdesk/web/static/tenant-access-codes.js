// The tenant's access codes [接入码] (configuration center): read-only, assigned by the
// operations admin.
import { mountResource } from "/static/crud.js";

mountResource(document.getElementById("resource"), {
  endpoint: "/api/config/access-codes",
  title: ["接入码", "Access codes"],
  noun: ["接入码", "access code"],
  intro: ["接入码由运营管理员分配给本租户；在被叫配置中把它们指向技能队列。", "The operations admin assigns access codes to this tenant; point them at skill queues under Called configuration."],
  empty: ["本租户还没有接入码。", "This tenant has no access codes yet."],
  create: false, update: false, remove: false,
  columns: [
    { key: "code", label: ["接入码", "Access code"] },
    { key: "type", label: ["类型", "Type"], labels: { voice_video: ["音视频", "Audio/video"], multimedia: ["多媒体", "Multimedia"] } },
  ],
  fields: [],
});
