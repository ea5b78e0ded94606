"""Thin glue every service needs: errors as problem+json, logs, health, database, settings."""
