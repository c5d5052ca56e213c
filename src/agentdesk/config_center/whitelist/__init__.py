"""The address whitelist [地址白名单]: the origins (+ path prefixes) third-party pages may be
loaded from, kept by the operations admin and consulted by every domain that opens or fetches
a page (screen pops, the page check). `matching` is pure; `service` is what peers call."""
