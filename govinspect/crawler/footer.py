"""Site identifiers shown on a page (网站规范): 网站标识码, ICP, 公安备案, 找错 widget, CONAC badge.

Facts only: what the page shows, verbatim.  Whether they are right is for ``checks``.
"""

from __future__ import annotations

import re
from typing import Any

from govinspect.crawler.page import ParsedPage

# Patterns from the 政府网站发展指引 conventions (docs/rubric.md cites the sources).
SITE_CODE = re.compile(r"网站标识码[：:\s]*(bm\d{8}|\d{10})")
ICP = re.compile(r"([\u4e00-\u9fa5]ICP备\s*\d{6,8}号(?:-\d+)?)")
POLICE = re.compile(r"([\u4e00-\u9fa5]{0,3}公网安备\s*[：:]?\s*\d{14}\s*号?)")
JIUCUO = re.compile(r"<script\b[^>]*\bid\s*=\s*[\"']_jiucuo_[\"'][^>]*>", re.I)
ATTR = re.compile(r"""\b(sitecode|src)\s*=\s*["']([^"']*)["']""", re.I)
CONAC = re.compile(r"""id\s*=\s*["']_ideConac["']|dcs\.conac\.cn/js/""", re.I)
TAGS = re.compile(r"<[^>]+>")


def footer_ids(html: str | ParsedPage) -> dict[str, Any]:
    """Identifiers found anywhere in the page (footers differ too much to locate reliably).

    Read from the page's text (no parse)."""
    if isinstance(html, ParsedPage):
        html = html.text
    text = TAGS.sub(" ", html)
    text = re.sub(r"&nbsp;|\s+", " ", text)
    jiucuo = JIUCUO.search(html)
    attrs = {k.lower(): v for k, v in ATTR.findall(jiucuo.group(0))} if jiucuo else {}
    code = SITE_CODE.search(text)
    icp = ICP.search(text)
    police = POLICE.search(text)
    return {
        "site_code": code.group(1) if code else None,
        "icp": " ".join(icp.group(1).split()) if icp else None,
        "police": " ".join(police.group(1).split()) if police else None,
        "jiucuo": bool(jiucuo),
        "jiucuo_sitecode": attrs.get("sitecode"),
        "jiucuo_src": attrs.get("src"),
        "conac": bool(CONAC.search(html)),
    }
