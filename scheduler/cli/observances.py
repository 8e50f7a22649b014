"""CLI commands of this capability (registered on import)."""
