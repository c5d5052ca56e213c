"""Identity verification [身份认证]: methods, the interface answer and records (R-IDV)."""
