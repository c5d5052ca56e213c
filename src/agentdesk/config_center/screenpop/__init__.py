"""Screen pops [弹屏配置]: pop pages, their parameters, the address whitelist, the page check."""
