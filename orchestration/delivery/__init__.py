"""Alert delivery after each successful refresh: per-owner and per-manager digests of new and
escalated alerts, sent to WeCom, DingTalk and Feishu group bots, generic JSON webhooks and SMTP,
exactly once per day (``audit.alert_deliveries``).

One job per module: ``config`` (the sales-ops file), ``digest`` (who gets which alerts, and the
text), ``channels`` (each channel's payload and transport), ``ledger`` (what was delivered),
``deliver`` (the run: dry-run or send, with retries).
"""
