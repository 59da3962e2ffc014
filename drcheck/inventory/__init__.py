"""The inventory: files become a validated model (YAML read with line and column kept, field tables, locations)."""
