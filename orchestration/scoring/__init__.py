"""Win-probability scoring (赢单概率): features as of a date, a calibrated model trained on deals
closed by then, scores with their top factors in plain words, and a backtest.

One job per module: ``settings`` (the sales-ops file), ``features`` (point-in-time feature rows
from the build database), ``train`` (fit or decline), ``store`` (versioned model artifacts),
``explain`` (top factors in Chinese and English), ``score`` (scores table), ``backtest``
(held-out periods vs the configured and empirical stage probabilities -> docs/scoring.md).
"""
