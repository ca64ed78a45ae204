"""Rules that span records, with several processes on one store: each test runs once on a
SQLite file and once on a PostgreSQL schema."""
