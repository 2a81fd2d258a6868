"""The project's own NLU components, referenced from config.yml by module path."""
