// The signed-in user's API tokens page [API 令牌].
import { mountTokens } from "/static/tokens.js";
mountTokens(document.getElementById("resource"));
