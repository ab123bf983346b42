"""Running Dearly on several app servers: a Redis cache that survives Redis outages, and a
clear 503 while the database or Redis is away (see docs/deployment.md)."""
