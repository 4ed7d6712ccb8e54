"""The fund catalog by market: one module per region, each fund with its exchange's names."""
