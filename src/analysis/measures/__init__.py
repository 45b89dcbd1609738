"""Stage 2: analysis functions on the processed tables (per-capita values, resources, demand, indicators, PDCA, disclosure)."""
