"""The Tornado subject's handlers: lesson material, one file per route and style."""
