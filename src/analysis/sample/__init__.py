"""The fictional sample (架空県) written in the published file layouts."""
