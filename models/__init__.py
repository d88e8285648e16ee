"""The census core: records, rules, identity, the SQLite store and rollups. Never imports Qt."""
