"""The message each provider expects for one card: pure functions, no Django.

A card is a dict with `label` (what kind of item: "New tip", "Challenge step"), `title`,
`text` (plain text, already short), `url` (absolute link back) and `community`; `open`, the
button's words in the site's language, is added when the card is sent.
Teams gets an Adaptive Card inside a message (what both incoming webhooks and Workflows'
"post card in a chat or channel" accept); Slack gets Block Kit blocks with a plain-text
fallback for notifications.
"""

TEXT_MAX = 600
TITLE_MAX = 150  # Slack's header block limit


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def teams_payload(card: dict) -> dict:
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": f"{card['community']} · {card['label']}",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": _short(card["title"], TITLE_MAX),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
    ]
    if card.get("text"):
        body.append({"type": "TextBlock", "text": _short(card["text"], TEXT_MAX), "wrap": True})
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": card.get("open", "Open in socialearn"),
                            "url": card["url"],
                        }
                    ],
                },
            }
        ],
    }


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn needs only these three escaped (a < would start a link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(card: dict) -> dict:
    title = _short(card["title"], TITLE_MAX)
    blocks: list[dict] = [
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": _slack_escape(f"{card['community']} · {card['label']}"),
                }
            ],
        },
        {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": False}},
    ]
    if card.get("text"):
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _slack_escape(_short(card["text"], TEXT_MAX))},
            }
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": card.get("open", "Open in socialearn")},
                    "url": card["url"],
                }
            ],
        }
    )
    return {"text": f"{card['community']}: {title}", "blocks": blocks}


PAYLOADS = {"teams": teams_payload, "slack": slack_payload}
