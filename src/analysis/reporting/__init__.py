"""Stage 3: what a reader sees (the notebook context, figures, HTML export and index pages)."""
