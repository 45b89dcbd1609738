"""Stage 4: running the report notebooks for many municipalities (workers, kernels, manifests)."""
