"""Write sprite.svg from the Lucide icons the templates use (see README.md)."""

import re
import sys
from pathlib import Path

ICONS = [
    "arrow-down",
    "arrow-down-right",
    "arrow-up",
    "arrow-up-right",
    "bell",
    "calendar",
    "check",
    "circle-check",
    "circle-help",
    "clock",
    "flag",
    "hand-heart",
    "inbox",
    "lightbulb",
    "link",
    "lock",
    "megaphone",
    "message-square",
    "minus",
    "party-popper",
    "pin",
    "shield-alert",
    "sparkles",
    "thumbs-up",
    "users",
    "x",
]


def main(icons_dir: str) -> None:
    here = Path(__file__).parent
    symbols = []
    for name in ICONS:
        svg = (Path(icons_dir) / f"{name}.svg").read_text()
        body = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1)
        body = re.sub(r"\s+", " ", body).strip()
        # The drawing attributes sit on each symbol: a <use> inherits from where it is used,
        # not from the sprite's root.
        symbols.append(
            f'<symbol id="{name}" viewBox="0 0 24 24"><g fill="none" stroke="currentColor" '
            f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{body}</g></symbol>'
        )
    (here / "sprite.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        + "\n".join(symbols)
        + "\n</svg>\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
