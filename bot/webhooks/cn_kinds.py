"""How the kinds of the mainland workplaces load: Feishu, Lark, WeCom, DingTalk (one line each in
:data:`bot.webhooks.kinds.BUILT_IN`). Each module loads on first use of its kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.webhooks.kind import WebhookKind


def feishu() -> WebhookKind:
    """Feishu custom bots (open.feishu.cn)."""
    from bot.webhooks.feishu import FeishuKind

    return FeishuKind()


def lark() -> WebhookKind:
    """Lark custom bots (open.larksuite.com)."""
    from bot.webhooks.feishu import FeishuKind

    return FeishuKind(lark=True)


def wecom() -> WebhookKind:
    """WeCom group robots (qyapi.weixin.qq.com)."""
    from bot.webhooks.wecom import WeComKind

    return WeComKind()


def dingtalk() -> WebhookKind:
    """DingTalk custom robots (oapi.dingtalk.com)."""
    from bot.webhooks.dingtalk import DingTalkKind

    return DingTalkKind()
