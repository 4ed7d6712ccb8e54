"""What tests and benchmarks stand the bot up against: fakes of the platforms and upstreams on
127.0.0.1 (:mod:`.discord`, :mod:`.slack`, :mod:`.telegram`, :mod:`.yahoo`, :mod:`.tiingo`), the clockless
:mod:`.gate` their posts can wait at, market data (:mod:`.market`: bars on real sessions, CSV
price directories) and a real ``signalbot run`` in a subprocess (:mod:`.bot_process`).

This package is the only part of ``tests`` that benchmarks import: it holds no tests, no
fixtures and no pytest import, so a benchmark pulls in nothing of the suite. Every module takes
its ports from the OS (port 0) and keeps its state on its instance, so the suite can run in
parallel.
"""
