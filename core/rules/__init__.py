"""A municipality's rules: its profile (運用開始日, covered kinds and work types,
submission addresses, subject rule) in ``profiles/*.toml``, and eligibility of a contract."""
