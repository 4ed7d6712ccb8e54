"""Market data and the momentum signal: pure, synchronous, platform-free."""
