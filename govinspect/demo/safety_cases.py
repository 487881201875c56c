"""Content-safety cases planted in the demo town (issue 18), with their decoys and ground truth.

The county site carries every case: hidden links (off-screen, display:none, document.write, a
zero-size iframe), a 公示 spreadsheet with valid unmasked 身份证号, a Word file with a mobile
number, an unmasked mobile on a page, suspected wording errors.  Decoys on the county and the
department site must never be reported: a hidden internal mobile menu, masked numbers, an
18-digit 索引号 failing the check digit, landlines, a partner link on the registry's
``partner_hosts``.

The 身份证号 are generated here with correct check digits for fictitious people (made-up
birth dates and sequence numbers); none belongs to a real person.  Outside hosts are served by
the feeds origin's stand-ins (``http://127.0.0.1:FEEDS/<host>/``); the demo registry lists the
stand-ins of government sites and the partner as ``partner_hosts`` (on 127.0.0.1 no host is a
``.gov.cn`` one).
"""

from __future__ import annotations

import io
from typing import Any

from stdnum.cn import ric


def id_number(prefix17: str) -> str:
    """An 18-digit number with the right check digit for the 17 digits given."""
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


def bad_check_digit(prefix17: str) -> str:
    """The same 17 digits with a wrong check digit: a valid-looking 18-digit string."""
    right = ric.calc_check_digit(prefix17 + "0")
    return prefix17 + next(d for d in "0123456789" if d != right)


#: Fictitious people of the 公示 list (410221 is the area code the demo's county borrows).
PEOPLE = (
    ("张某某", id_number("41022119580312301"), 1200),
    ("李某某", id_number("41022119620807402"), 1200),
    ("王某某", id_number("41022119711125153"), 800),
)
MASKED_ID = "4102**********123X"
FAKE_INDEX = bad_check_digit("41022120240000123")  # a 索引号 shaped like a 身份证号
PAGE_MOBILE = "13512345678"
DOCX_MOBILE = "13987654321"

#: Outside hosts (stand-ins on the feeds origin): key -> (path, text, planted how).
EXTERNALS = {
    "safety_casino": "/www.yulecheng-demo.com/",
    "safety_seo": "/www.seo-links-demo.net/",
    "safety_lottery": "/www.ssc-demo.com/",
    "safety_frame": "/stat.frame-demo.net/count.html",
    "safety_partner": "/www.partner-bank-demo.com/",
}
#: Stand-ins that the demo registry lists as partners (government sites and the partner).
PARTNER_EXTERNALS = (
    "conac_show",
    "beian_miit",
    "beian_psb",
    "gov_cn",
    "province",
    "safety_partner",
)

ARTICLE = "item:tzgg:2"  # a 2026 notice of the county site
XLSX_PATH = "/gs/P020261105000001.xlsx"
DOCX_PATH = "/gs/P020261105000002.docx"
ATTACHMENTS = {XLSX_PATH: "safety_xlsx", DOCX_PATH: "safety_docx"}

#: Which sites carry the cases ("full") or only the decoys ("decoys").
PLANTED = {"county": "full", "dept": "decoys"}


def plants(site_id: str) -> str | None:
    return PLANTED.get(site_id)


# --- the HTML ------------------------------------------------------------------------------------

DECOYS = (
    '<nav class="m-nav" style="display:none"><a href="/">首页</a></nav>'
    '<p class="contact">咨询电话：0371-26012345　手机：138****1234　身份证号示例：'
    f"{MASKED_ID}</p>"
)


def home_html(site_id: str, ext: dict[str, str]) -> str:
    """The homepage fragment; ``ext`` maps the EXTERNALS keys to their hrefs."""
    kind = plants(site_id)
    if kind is None:
        return ""
    partner = f'<p class="partner"><a href="{ext["safety_partner"]}">合作银行</a></p>'
    if kind == "decoys":
        return DECOYS + partner
    return (
        DECOYS + partner + '<div style="position:absolute;left:-9999px;top:-9999px">'
        f'<a href="{ext["safety_casino"]}">澳门娱乐城</a></div>'
        f'<div style="display:none"><a href="{ext["safety_seo"]}">网站优化</a></div>'
        '<script>document.write(\'<div style="display:none">'
        f'<a href="{ext["safety_lottery"]}">时时彩</a></div>\');</script>'
        f'<iframe src="{ext["safety_frame"]}" width="0" height="0" frameborder="0"></iframe>'
    )


def article_html() -> str:
    return (
        '<div class="safety-demo">'
        f"<p>索引号：{FAKE_INDEX}</p>"
        "<p>坚持中国特色社会主意道路，由县工商行政管理局牵头组织实施。</p>"
        f"<p>联系人：王老师，手机：{PAGE_MOBILE}；办公电话：0371-26012346。</p>"
        f'<p class="attach"><a href="{XLSX_PATH}">附件1：2026年度补贴发放名单公示.xlsx</a></p>'
        f'<p class="attach"><a href="{DOCX_PATH}">附件2：联系方式.docx</a></p>'
        "</div>"
    )


# --- the attachments -----------------------------------------------------------------------------


def attachment_bytes(payload: str) -> bytes:
    if payload == "safety_xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "公示名单"
        sheet.append(["序号", "姓名", "身份证号", "补贴金额（元）", "备注"])
        for n, (name, number, amount) in enumerate(PEOPLE, start=1):
            sheet.append([n, name, number, amount, ""])
        sheet.append([4, "赵某某", MASKED_ID, 800, "已脱敏"])
        sheet.append([5, "索引号", FAKE_INDEX, None, "非身份证号"])
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()
    if payload == "safety_docx":
        import docx

        document = docx.Document()
        document.add_paragraph("补贴发放工作联系方式")
        document.add_paragraph(f"联系人：赵某某，手机：{DOCX_MOBILE}，办公电话：0371-26012347")
        document.add_paragraph(f"索引号：{FAKE_INDEX}")
        buf = io.BytesIO()
        document.save(buf)
        return buf.getvalue()
    raise KeyError(payload)


# --- ground truth --------------------------------------------------------------------------------


def truth(site_id: str, url: Any, article: str | None, ext: dict[str, str]) -> dict[str, Any]:
    """What a correct inspection reports (``url(path)`` makes a site path absolute)."""
    if plants(site_id) != "full" or article is None:
        return {"hidden_links": [], "privacy": [], "wording": [], "outbound": []}
    home = url("/")
    return {
        "hidden_links": [
            {"url": ext["safety_casino"], "how": "offscreen", "keywords": ["娱乐城"],
             "found_on": [home]},
            {"url": ext["safety_seo"], "how": "display_none", "keywords": [], "found_on": [home]},
            {"url": ext["safety_lottery"], "how": "document_write", "keywords": ["时时彩"],
             "found_on": [home]},
            {"url": ext["safety_frame"], "how": "iframe", "keywords": [], "found_on": [home]},
        ],
        "privacy": [
            {"url": url(XLSX_PATH), "kind": "id_card", "count": len(PEOPLE),
             "in_attachment": True},
            {"url": url(DOCX_PATH), "kind": "mobile", "count": 1, "in_attachment": True},
            {"url": url(article), "kind": "mobile", "count": 1, "in_attachment": False},
        ],
        "wording": [
            {"url": url(article), "term": "中国特色社会主意", "suggestion": "中国特色社会主义"},
            {"url": url(article), "term": "工商行政管理局", "suggestion": "市场监督管理局"},
        ],
        "outbound": [
            {"url": ext["safety_casino"], "kind": "non_government"},
            {"url": ext["safety_seo"], "kind": "non_government"},
        ],
    }  # fmt: skip


def expected_rules(cs: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(rule, url or None) of the findings the planted cases must give."""
    want: list[tuple[str, str | None]] = [
        ("hidden_link_risky" if h["keywords"] else "hidden_link", h["url"])
        for h in cs["hidden_links"]
    ]
    kinds = {p["kind"] for p in cs["privacy"]}
    want += [("privacy_leak", None) for k in ("id_card", "bank_card") if k in kinds]
    if "mobile" in kinds:
        want.append(("privacy_mobile", None))
    want += [("wording_suspect", None) for _ in {w["term"] for w in cs["wording"]}]
    if any(o["kind"] == "non_government" for o in cs["outbound"]):
        want.append(("outbound_non_government", None))
    return want


def partner_hosts(ext_urls: list[str]) -> list[str]:
    """Registry ``partner_hosts`` entries (host/path prefixes) for the stand-ins given."""
    out = []
    for raw in ext_urls:
        rest = raw.split("://", 1)[-1]
        netloc, _, path = rest.partition("/")
        first = path.split("/", 1)[0]
        out.append(f"{netloc}/{first}/")
    return sorted(set(out))
