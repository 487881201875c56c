"""The demo town model: one deterministic object from which pages and ground truth both derive.

``build_town(scale)`` turns the tables in ``spec`` into a ``Town``.  The renderers only read the
model; ``truth.manifest`` only reads the model.  So a page and its truth cannot disagree.
Randomness comes from ``random.Random`` seeded with strings (stable across runs and Python
processes); items are drawn newest-first, so the first items of a column are identical at every
scale and planted links placed on them exist at every scale.
"""

from __future__ import annotations

import posixpath
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from w3lib.url import safe_url_string

from govinspect.demo import safety_cases, texts
from govinspect.demo.spec import (
    AS_OF,
    BEIAN_MIIT_PATH,
    BEIAN_PSB_PATH,
    CONAC_SCRIPT_PATH,
    CONAC_SHOW_PATH,
    FEEDS,
    GOV_CN_PATH,
    HANWEB_DATAPROXY,
    HANWEB_GROUP_PAGES,
    HOME_BLOCK_SIZE,
    JIUCUO_PATH,
    PROVINCE_PATH,
    SECTION_BLOCK_SIZE,
    SITES,
    STYLE_ASSETS,
    TRS_LIST_API,
    ColumnSpec,
    ConsultationSpec,
    FeedSpec,
    LinkSpec,
    PolicySpec,
    SectionSpec,
    SiteSpec,
)

LITERAL_PREFIXES = ("javascript:", "mailto:", "tel:", "#")
HANWEB_WEBID = 3
HANWEB_APPID = 1


# ---------------------------------------------------------------------------------------------
# references and URLs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A link target: an origin (site id, "feeds", "refused", "dns:<host>", "literal") + path."""

    origin: str
    path: str

    @property
    def literal(self) -> bool:
        return self.origin == "literal"


class Urls:
    """Absolute URLs for the running origins (known only once the server has its ports)."""

    def __init__(self, bases: dict[str, str]) -> None:
        self.bases = {k: v if v.endswith("/") else v + "/" for k, v in bases.items()}

    def base(self, origin: str) -> str:
        return self.bases[origin]

    def raw(self, ref: Ref) -> str:
        """The URL as it is written into a page (non-ASCII left as is)."""
        if ref.literal:
            return ref.path
        if ref.origin.startswith("dns:"):
            return f"http://{ref.origin[4:]}{ref.path}"
        return self.bases[ref.origin].rstrip("/") + ref.path

    def absolute(self, ref: Ref) -> str:
        """The canonical absolute URL (percent-encoded UTF-8), as used in the manifest."""
        if ref.literal:
            return ref.path
        return safe_url_string(self.raw(ref))

    def url(self, origin: str, path: str) -> str:
        return self.absolute(Ref(origin, path))


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------
@dataclass
class DocMeta:
    """政府信息公开 metadata shown as a table on disclosure documents."""

    index_no: str
    topic: str
    publisher: str
    written: date
    doc_number: str
    validity: str = "有效"


@dataclass
class Related:
    label: str  # 相关解读 / 相关文件
    title: str
    ref: Ref


@dataclass
class Item:
    uid: int
    kind: str  # article|policy|interpretation|annual_report|letter|consultation|guide
    title: str
    path: str
    date: date | None
    time: str
    source: str
    body: tuple[str, ...]
    column: str
    meta: DocMeta | None = None
    related: list[Related] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pubdate(self) -> str:
        """The PubDate meta value, e.g. ``2026-11-03 09:30`` (empty when undated)."""
        return f"{self.date.isoformat()} {self.time}" if self.date else ""


@dataclass
class ListPage:
    path: str  # as linked (may carry a query: ?page=N, dataproxy.jsp?...)
    index: int  # 0-based page index
    items: list[Item]
    found_via: str  # html | createPageHTML | datastore | dataproxy | script_api


@dataclass
class Column:
    spec: ColumnSpec
    level: int
    items: list[Item] = field(default_factory=list)
    content: Item | None = None
    pages: list[ListPage] = field(default_factory=list)
    api_pages: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    unitid: int = 0

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def path(self) -> str:
        return self.spec.path

    @property
    def dir(self) -> str:
        return (
            self.spec.path
            if self.spec.path.endswith("/")
            else posixpath.dirname(self.spec.path) + "/"
        )

    @property
    def newest(self) -> date | None:
        dates = [i.date for i in self.items if i.date]
        return max(dates) if dates else None

    @property
    def blank(self) -> bool:
        return not self.items and self.content is None

    @property
    def script_filled(self) -> bool:
        return self.spec.pager == "script"

    @property
    def group_size(self) -> int:
        return self.spec.page_size * HANWEB_GROUP_PAGES


@dataclass
class Page:
    """Anything the site answers for a path (pages, attachments, planted endpoints)."""

    path: str
    kind: str
    found_via: str = "html"
    title: str = ""
    column: str | None = None
    item: Item | None = None
    list_index: int = 0
    status: int = 200
    location: str | None = None
    gate: str | None = None  # transient503 | ratelimit429 | slow
    head405: bool = False
    payload: str = ""
    in_truth: bool = True
    charset: str = ""  # how a GBK page declares its charset: header | meta | http-equiv


@dataclass
class PlacedLink:
    spec: LinkSpec
    target: Ref
    href: str | None  # literal href when it differs from the normal form
    pages: list[str]  # paths of the pages it is placed on


@dataclass
class External:
    key: str
    ref: Ref
    real_url: str
    element: str  # a | script


@dataclass
class BaseTrap:
    page: str  # path of the page carrying <base href>
    base: str  # path the base points to
    links: list[tuple[str, str]]  # (relative href, text)


@dataclass
class Site:
    spec: SiteSpec
    columns: list[Column]
    sections: list[SectionSpec]
    pages: dict[str, Page] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    links: list[PlacedLink] = field(default_factory=list)
    externals: dict[str, External] = field(default_factory=dict)
    home_blocks: list[tuple[Column, list[Item]]] = field(default_factory=list)
    section_blocks: dict[str, list[tuple[Column, list[Item]]]] = field(default_factory=dict)
    base_trap: BaseTrap | None = None
    assets: dict[str, str] = field(default_factory=dict)
    safety_article: str | None = None  # the page carrying the content-safety cases

    @property
    def id(self) -> str:
        return self.spec.id

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def columns_of(self, section: str, level: int | None = None) -> list[Column]:
        return [
            c
            for c in self.columns
            if c.spec.section == section and (level is None or c.level == level)
        ]

    def links_on(self, path: str) -> list[PlacedLink]:
        return [link for link in self.links if path in link.pages]

    @property
    def home_last_update(self) -> date | None:
        dates = [i.date for _, items in self.home_blocks for i in items if i.date]
        return max(dates) if dates else None

    def items(self) -> list[Item]:
        out = []
        for col in self.columns:
            out.extend(col.items)
            if col.content:
                out.append(col.content)
        return out


@dataclass
class FeedPost:
    title: str
    published: date
    time: str
    link: Ref
    summary: str


@dataclass
class Feed:
    spec: FeedSpec
    posts: list[FeedPost]

    @property
    def last_post(self) -> date | None:
        return max((p.published for p in self.posts), default=None)


@dataclass
class Town:
    as_of: date
    scale: int
    sites: dict[str, Site]
    feeds: list[Feed]


# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------
def build_town(scale: int = 1) -> Town:
    """Build the whole demo town deterministically; ``scale`` multiplies news/notice items."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    sites = {spec.id: _build_site(spec, scale) for spec in SITES}
    feeds = [_build_feed(spec, sites) for spec in FEEDS]
    return Town(as_of=AS_OF, scale=scale, sites=sites, feeds=feeds)


def _build_site(spec: SiteSpec, scale: int) -> Site:
    columns = [_column_shell(spec, cs, i) for i, cs in enumerate(spec.columns)]
    site = Site(spec=spec, columns=columns, sections=list(spec.sections))
    site.assets = dict(STYLE_ASSETS[spec.style])
    for col in columns:
        _fill_column(site, col, scale)
    _add_policies(site)
    _add_self_checks(site)
    for col in columns:
        # Newest first; same-day items keep their generation order (stable across scales).
        col.items.sort(key=lambda i: (-(i.date or date.min).toordinal(), i.uid))
        _paginate(site, col)
    _add_externals(site)
    _add_pages(site)
    _place_links(site)
    _add_safety(site)
    _mark_found_via(site)
    return site


def _add_safety(site: Site) -> None:
    """The content-safety cases and decoys (demo/safety_cases.py) of the sites that carry them."""
    if safety_cases.plants(site.id) != "full":
        return
    site.safety_article = _page_ref(site, safety_cases.ARTICLE)
    for path, payload in safety_cases.ATTACHMENTS.items():
        _page(site, Page(path, "attachment", title=posixpath.basename(path), payload=payload))


def _column_shell(site: SiteSpec, cs: ColumnSpec, index: int) -> Column:
    col = Column(spec=cs, level=2 if cs.parent else 1, unitid=5600 + index)
    col.children = [c.key for c in site.columns if c.parent == cs.key]
    return col


def _rng(*parts: object) -> random.Random:
    return random.Random("/".join(str(p) for p in parts))


def _time(rng: random.Random) -> str:
    return f"{rng.randint(8, 17):02d}:{rng.choice((0, 5, 10, 20, 30, 40, 45, 50)):02d}"


def item_path(style: str, col: Column, d: date | None, uid: int) -> str:
    """Article URL path in the CMS family's own scheme."""
    if d is None:
        return f"{col.dir}content_{uid}.html"
    if style == "trs_wcm":
        return f"{col.dir}{d:%Y%m}/t{d:%Y%m%d}_{uid}.html"
    if style == "hanweb":
        return f"/art/{d.year}/{d.month}/{d.day}/art_{col.spec.column_id}_{uid}.html"
    return f"{col.dir}{d:%Y%m}/{uid}.html"


def _fill_column(site: Site, col: Column, scale: int) -> None:
    cs = col.spec
    if cs.ctype == "disclosure_guide":
        col.content = _guide_item(site, col)
    elif cs.ctype == "annual_report":
        col.items = _annual_reports(site, col)
    elif cs.ctype == "consultation":
        col.items = _consultations(site, col)
    elif cs.interviews:
        col.items = _interviews(site, col)
    elif cs.count:
        col.items = _generic_items(site, col, scale)
        if cs.ctype == "interaction":
            _apply_letter_overrides(site, col)


def _generic_items(site: Site, col: Column, scale: int) -> list[Item]:
    cs = col.spec
    rng = _rng(site.id, cs.key)
    count = cs.count * (scale if cs.scaled else 1)
    kind = {"interaction": "letter", "policy": "policy"}.get(cs.ctype, "article")
    title_kind = "letter" if kind == "letter" else cs.ctype
    d = AS_OF - timedelta(days=cs.newest or 0)
    items = []
    for i in range(count):
        title = texts.title_for(title_kind, rng, org=site.spec.name)
        uid = cs.column_id * 10000 + i + 1
        shown = None if cs.undated else d
        path = item_path(site.spec.style, col, shown, uid)
        item = Item(
            uid=uid,
            kind=kind,
            title=title,
            path=path,
            date=shown,
            time=_time(rng),
            source=texts.pick(rng, texts.SOURCES),
            body=texts.paragraphs(rng, texts.topic_of(title)),
            column=cs.key,
        )
        if kind == "letter":
            item.extra = {"asked": d, "answered": min(d + timedelta(days=rng.randint(1, 4)), AS_OF)}
        if kind == "policy":
            item.meta = _doc_meta(site, d, rng, uid)
        items.append(item)
        d -= timedelta(days=rng.randint(*cs.gap))
    mention = site.spec.mentions_404
    if mention and mention[0] == cs.key and len(items) > mention[1]:
        _make_404_mention(items[mention[1]])
    return items


def _make_404_mention(item: Item) -> None:
    """A normal article whose text merely mentions 404 (must never count as a dead link)."""
    item.extra["mentions_404"] = True
    item.title = "我县完成404户农村危房改造任务"
    item.body = (
        "今年以来，我县把农村危房改造作为民生实事来抓，截至11月底，全县共完成404户农村危房改造，"
        "完成率100%。",
        "县住房和城乡建设局相关负责人介绍，404户改造对象全部通过入户核验，资金已按程序拨付到户。",
    )


def _apply_letter_overrides(site: Site, col: Column) -> None:
    for ov in site.spec.letters:
        if ov.index < len(col.items):
            item = col.items[ov.index]
            item.date = ov.asked
            item.path = item_path(site.spec.style, col, ov.asked, item.uid)
            item.extra = {"asked": ov.asked, "answered": ov.answered}


def _doc_meta(site: Site, d: date, rng: random.Random, uid: int) -> DocMeta:
    """Metadata whose 索引号 and 文号 are unique within the site (derived from the doc id)."""
    year = d.year
    return DocMeta(
        index_no=f"{site.spec.org_code}/{year}-{uid % 100000:05d}",
        topic={"county": "综合政务", "dept": "教育", "modern": "发展规划"}.get(site.id, "其他"),
        publisher=site.spec.name + ("办公室" if site.spec.category == "county" else ""),
        written=d - timedelta(days=rng.randint(0, 3)),
        doc_number=f"{site.spec.doc_prefix}〔{year}〕{uid % 1000 + 100}号",
    )


def _guide_item(site: Site, col: Column) -> Item:
    g = site.spec.guide
    assert g is not None, f"{site.id} has a guide column but no GuideSpec"
    order = "国务院令第492号" if g.cites_order_492 else "国务院令第711号"
    code = site.spec.site_code
    body = [
        f"根据《中华人民共和国政府信息公开条例》（{order}）的规定，为了更好地提供政府信息公开服务，"
        f"特编制本指南。需要获得{site.spec.name}政府信息公开服务的公民、法人或者其他组织，可以阅读本指南。",
        "一、主动公开。主动公开的政府信息通过本机关门户网站、政务新媒体、政府公报等途径公开，"
        "信息形成或者变更之日起20个工作日内予以公开。",
    ]
    element_text = {
        "申请方式": "二、依申请公开。申请方式：申请人可以通过当面提交、邮政寄送或者在线平台提交"
        "政府信息公开申请表。",
        "办公地址": f"办公地址：示范县人民路{int(code[-2:])}号{site.spec.name}一楼政务公开窗口。",
        "办公时间": "办公时间：周一至周五上午8:30-12:00，下午14:30-17:30（法定节假日除外）。",
        "联系电话": f"联系电话：0371-1234{5000 + int(code[-2:])}。",
        "传真": f"传真号码：0371-1234{6000 + int(code[-2:])}。",
    }
    body.extend(element_text[e] for e in texts.GUIDE_ELEMENTS if e in g.elements)
    return Item(
        uid=col.spec.column_id * 10000 + 1,
        kind="guide",
        title=site.spec.name
        + ("信息公开指南" if site.spec.name.endswith("政府") else "政府信息公开指南"),
        path=col.path,
        date=g.published,
        time="10:00",
        source=site.spec.name,
        body=tuple(body),
        column=col.key,
        extra={"cites_order_492": g.cites_order_492, "elements": list(g.elements)},
    )


def _annual_reports(site: Site, col: Column) -> list[Item]:
    month, day = site.spec.report_publish
    items = []
    for n, year in enumerate(site.spec.report_years):
        d = date(year + 1, month, day)
        uid = col.spec.column_id * 10000 + n + 1
        title = f"{site.spec.name}{year}年政府信息公开工作年度报告"
        body = (
            f"本报告根据《中华人民共和国政府信息公开条例》编制，数据统计期限为{year}年1月1日至"
            f"{year}年12月31日。",
            *(
                f"{heading}：{year}年度相关工作情况详见正文。"
                for heading in texts.ANNUAL_REPORT_SECTIONS
            ),
        )
        items.append(
            Item(
                uid=uid,
                kind="annual_report",
                title=title,
                path=item_path(site.spec.style, col, d, uid),
                date=d,
                time="16:00",
                source=site.spec.name,
                body=body,
                column=col.key,
                extra={"year": year},
            )
        )
    return items


def _consultations(site: Site, col: Column) -> list[Item]:
    """Consultations (newest first) and the 意见采纳情况 pages of those that have one."""
    rng = _rng(site.id, col.key, "consult")
    items = []
    for n, cspec in enumerate(site.spec.consultations):
        uid = col.spec.column_id * 10000 + n + 1
        title = texts.title_for("consultation", rng)
        if cspec.topic:
            title = f"关于公开征求《{cspec.topic}（征求意见稿）》意见的公告"
        days = (cspec.end - cspec.start).days
        period = (
            f"征集时间：{cspec.start:%Y年%m月%d日}至{cspec.end:%Y年%m月%d日}。"
            if cspec.dated
            else "欢迎社会各界提出宝贵意见。"
        )
        body = (
            f"为广泛听取社会各界意见，现将草案全文公布，公开征求意见。{period}",
            "意见反馈方式：可通过电子邮件或信函方式提出意见，信封上请注明“征求意见”字样。",
        )
        item = Item(
            uid=uid,
            kind="consultation",
            title=title,
            path=item_path(site.spec.style, col, cspec.start, uid),
            date=cspec.start,
            time="09:00",
            source=site.spec.name,
            body=body,
            column=col.key,
            extra={
                "start": cspec.start if cspec.dated else None,
                "end": cspec.end if cspec.dated else None,
                "days": days if cspec.dated else None,
                "planned": (cspec.start, cspec.end),
            },
        )
        items.append(item)
        if cspec.feedback is not None:
            feedback = _feedback_item(site, col, cspec, uid + 100)
            item.related.append(
                Related("意见采纳情况", feedback.title, Ref(site.id, feedback.path))
            )
            item.extra["feedback"] = feedback.path
            items.append(feedback)
    return sorted(items, key=lambda i: (i.date or date.min, i.uid), reverse=True)


def _feedback_item(site: Site, col: Column, cspec: ConsultationSpec, uid: int) -> Item:
    assert cspec.feedback is not None
    return Item(
        uid=uid,
        kind="feedback",
        title=f"《{cspec.topic}》征求意见采纳情况",
        path=item_path(site.spec.style, col, cspec.feedback, uid),
        date=cspec.feedback,
        time="10:00",
        source=site.spec.name,
        body=(
            f"征求意见期间，共收到意见建议{3 + uid % 7}条，采纳{1 + uid % 3}条。",
            "未采纳的意见主要涉及上位法已有规定或不属于本办法调整范围的事项。",
        ),
        column=col.key,
        extra={"consultation_topic": cspec.topic},
    )


def _interviews(site: Site, col: Column) -> list[Item]:
    """The dated items of an 在线访谈 column."""
    items = []
    for n, d in enumerate(sorted(col.spec.interviews, reverse=True)):
        uid = col.spec.column_id * 10000 + n + 1
        topic = texts.TOPICS[n % len(texts.TOPICS)]
        items.append(
            Item(
                uid=uid,
                kind="interview",
                title=f"在线访谈：{site.spec.name}负责人谈{topic}工作",
                path=item_path(site.spec.style, col, d, uid),
                date=d,
                time="15:00",
                source=site.spec.name,
                body=("本期访谈邀请主要负责人介绍有关工作情况，并回答网友提问。",),
                column=col.key,
            )
        )
    return items


def _add_policies(site: Site) -> None:
    """Planted policy documents, their interpretations and older filler documents."""
    policy_cols = [c for c in site.columns if c.spec.ctype == "policy" and not c.spec.count]
    interp_cols = [c for c in site.columns if c.spec.ctype == "interpretation"]
    if not policy_cols:
        return
    pcol = policy_cols[0]
    icol = interp_cols[0] if interp_cols else None
    rng = _rng(site.id, "policies")
    for n, ps in enumerate(site.spec.policies):
        doc = _policy_item(site, pcol, ps, n, rng)
        pcol.items.append(doc)
        if ps.mode == "none" or icol is None or ps.interp_published is None:
            continue
        interp = _interpretation_item(site, icol, ps, doc, n, rng)
        icol.items.append(interp)
        doc.related.append(Related("相关解读", interp.title, Ref(site.id, interp.path)))
        if ps.mode != "one_way":
            interp.related.append(Related("相关文件", doc.title, Ref(site.id, doc.path)))
        doc.extra = {"mode": ps.mode, "interpretation": interp}
        interp.extra = {"mode": ps.mode, "policy": doc}
    oldest = min((p.published for p in site.spec.policies), default=AS_OF)
    d = oldest - timedelta(days=20)
    for n in range(site.spec.policy_fillers):
        uid = pcol.spec.column_id * 10000 + 500 + n
        title = texts.title_for("policy", rng, org=site.spec.name)
        pcol.items.append(
            Item(
                uid=uid,
                kind="policy",
                title=title,
                path=item_path(site.spec.style, pcol, d, uid),
                date=d,
                time=_time(rng),
                source=site.spec.name,
                body=texts.paragraphs(rng, texts.topic_of(title)),
                column=pcol.key,
                meta=_doc_meta(site, d, rng, uid),
            )
        )
        d -= timedelta(days=rng.randint(15, 40))


def _add_self_checks(site: Site) -> None:
    """The unit's quarterly self-check posts (自查整改情况), in the columns the spec names."""
    by_key = {c.key: c for c in site.columns}
    for n, spec in enumerate(site.spec.self_checks):
        col = by_key[spec.column]
        # Outside the generic items' uid range at every scale.
        uid = 9_000_000 + col.spec.column_id * 100 + n
        body = (
            f"根据政府网站与政务新媒体检查工作要求，{site.spec.name}对{spec.year}年第"
            f"{'一二三四'[spec.quarter - 1]}季度本单位政府网站和政务新媒体开展了全面自查。",
            "一、自查情况。本季度共检查栏目、链接和政务新媒体账号，发现问题已逐项登记。",
            "二、整改情况。发现的问题均已整改完毕，整改情况已逐项核实。",
        )
        col.items.append(
            Item(
                uid=uid,
                kind="article",
                title=spec.title,
                path=item_path(site.spec.style, col, spec.published, uid),
                date=spec.published,
                time="15:30",
                source=site.spec.name,
                body=body,
                column=col.key,
                extra={"self_check": f"{spec.year}Q{spec.quarter}"},
            )
        )


def _policy_item(site: Site, col: Column, ps: PolicySpec, n: int, rng: random.Random) -> Item:
    uid = col.spec.column_id * 10000 + n + 1
    meta = _doc_meta(site, ps.published, rng, uid)
    meta.doc_number = ps.doc_number
    county = site.spec.category == "county"
    approver = "县人民政府研究" if county else "研究"
    body = (
        "各乡镇人民政府，县人民政府各部门：" if county else "各有关单位：",
        f"为深入做好{ps.topic}工作，切实保障人民群众切身利益，经{approver}同意，现就有关事项通知如下。",
        f"一、总体要求。坚持以人民为中心，围绕{ps.topic}重点任务，完善工作机制，强化责任落实。",
        f"二、主要任务。（一）健全{ps.topic}工作台账；（二）加大资金保障力度；（三）强化督导考核。",
        "三、保障措施。各单位要加强组织领导，明确责任分工，确保各项措施落地见效。",
        f"本文件自印发之日起施行，有效期五年。{site.spec.name}",
    )
    return Item(
        uid=uid,
        kind="policy",
        title=ps.title,
        path=item_path(site.spec.style, col, ps.published, uid),
        date=ps.published,
        time=_time(rng),
        source=site.spec.name,
        body=body,
        column=col.key,
        meta=meta,
    )


def interpretation_title(policy_title: str) -> str:
    start, end = policy_title.find("《"), policy_title.find("》")
    if 0 <= start < end:
        return f"{policy_title[start : end + 1]}政策解读"
    return f"一图读懂{policy_title.replace('的通知', '')}"


def _interpretation_item(
    site: Site, col: Column, ps: PolicySpec, doc: Item, n: int, rng: random.Random
) -> Item:
    uid = col.spec.column_id * 10000 + n + 1
    assert ps.interp_published is not None
    if ps.mode == "copied":
        # 照抄照搬: the interpretation repeats the document almost word for word.
        body = ("近日，县政府印发相关文件，现解读如下：", *doc.body[1:])
    else:
        body = (
            f"一、出台背景。为进一步做好{ps.topic}工作，回应群众关切，制定本文件。",
            "二、制定依据。依据国家和省、市有关法律法规及政策规定。",
            f"三、主要内容。文件明确了{ps.topic}的目标任务、责任分工和保障措施，共三个部分。",
            "四、适用范围。本文件适用于本行政区域内的相关单位和个人。",
            f"五、解读机关及联系方式。{site.spec.name}，联系电话0371-12345678。",
        )
    d = ps.interp_published
    return Item(
        uid=uid,
        kind="interpretation",
        title=interpretation_title(ps.title),
        path=item_path(site.spec.style, col, d, uid),
        date=d,
        time=_time(rng),
        source=site.spec.name,
        body=body,
        column=col.key,
    )


# ---------------------------------------------------------------------------------------------
# pagination
# ---------------------------------------------------------------------------------------------
def hanweb_proxy_query(site: Site, col: Column, group: int) -> str:
    """The GET query of a Hanweb dataproxy group (1-based), as found in ``<nextgroup>``."""
    webname = quote(site.spec.name, safe="")
    return (
        f"page={group}&appid={HANWEB_APPID}&webid={HANWEB_WEBID}&path=/"
        f"&columnid={col.spec.column_id}&unitid={col.unitid}&webname={webname}"
        "&permissiontype=0"
    )


def _chunks(items: list[Item], size: int) -> list[list[Item]]:
    if not items:
        return [[]]
    return [items[i : i + size] for i in range(0, len(items), size)]


def _paginate(site: Site, col: Column) -> None:
    cs = col.spec
    pager = cs.pager
    if pager == "content":
        col.pages = [ListPage(cs.path, 0, [], "html")]
        return
    if pager == "script":
        col.pages = [ListPage(cs.path, 0, [], "html")]
        n_pages = max(1, -(-len(col.items) // cs.page_size))
        col.api_pages = [
            f"{TRS_LIST_API}?channelid={cs.column_id}&page={p}&prepage={cs.page_size}"
            for p in range(1, n_pages + 1)
        ]
        return
    if pager == "hanweb":
        groups = _chunks(col.items, col.group_size)
        col.pages = [ListPage(cs.path, 0, groups[0], "datastore")]
        col.pages += [
            ListPage(
                f"{HANWEB_DATAPROXY}?{hanweb_proxy_query(site, col, g + 1)}", g, chunk, "dataproxy"
            )
            for g, chunk in enumerate(groups)
            if g > 0
        ]
        return
    chunks = _chunks(col.items, cs.page_size)
    for i, chunk in enumerate(chunks):
        col.pages.append(
            ListPage(
                list_page_path(col, i),
                i,
                chunk,
                "createPageHTML" if pager in ("trs4", "trs6") and i else "html",
            )
        )


def list_page_path(col: Column, index: int) -> str:
    """Path of the ``index``-th (0-based) list page of a paginated column."""
    cs = col.spec
    if index == 0:
        return cs.path
    if cs.pager == "trs4":
        return f"{col.dir}index_{index}.html"
    if cs.pager == "trs6":
        stem = posixpath.splitext(posixpath.basename(cs.path))
        return f"{col.dir}{stem[0]}_{index + 1}{stem[1]}"
    if cs.pager == "plain":
        return f"{col.dir}index_{index + 1}.html"
    if cs.pager == "query":
        return f"{cs.path}?page={index + 1}"
    raise ValueError(f"no list page {index} for pager {cs.pager}")


# ---------------------------------------------------------------------------------------------
# pages, externals, planted links
# ---------------------------------------------------------------------------------------------
def _add_externals(site: Site) -> None:
    code = site.spec.site_code
    ext = [
        ("jiucuo", JIUCUO_PATH, "script"),
        ("conac_script", CONAC_SCRIPT_PATH, "script"),
        ("conac_show", f"{CONAC_SHOW_PATH}?method=show&id={code}", "a"),
        ("beian_miit", BEIAN_MIIT_PATH, "a"),
        ("beian_psb", f"{BEIAN_PSB_PATH}?recordcode={site.spec.psb}", "a"),
        ("gov_cn", GOV_CN_PATH, "a"),
        ("province", PROVINCE_PATH, "a"),
    ]
    if safety_cases.plants(site.id):
        ext += [(key, path, "a") for key, path in safety_cases.EXTERNALS.items()]
    for key, path, element in ext:
        site.externals[key] = External(key, Ref("feeds", path), "https:/" + path, element)


HTML_PAGE_KINDS = frozenset(
    {"home", "section", "list", "content", "article", "sitemap", "contact", "simple", "base_page"}
)


def _page(site: Site, page: Page) -> Page:
    if site.spec.encoding == "gbk" and page.kind in HTML_PAGE_KINDS and not page.charset:
        page.charset = "header"
    site.pages.setdefault(page.path, page)
    return site.pages[page.path]


def _add_pages(site: Site) -> None:
    spec = site.spec
    gbk = spec.encoding == "gbk"
    _page(site, Page("/", "home", title=spec.name))
    for sec in site.sections:
        _page(site, Page(sec.path, "section", title=sec.name, column=sec.key))
        site.section_blocks[sec.key] = [
            (c, c.items[:SECTION_BLOCK_SIZE])
            for c in site.columns_of(sec.key, 1)
            if not c.script_filled
        ]
    site.home_blocks = [(c, c.items[:HOME_BLOCK_SIZE]) for c in site.columns if c.spec.home]
    for col in site.columns:
        for lp in col.pages:
            if lp.found_via == "dataproxy":
                continue  # answered by the dynamic dataproxy endpoint
            kind = "content" if col.spec.pager == "content" else "list"
            _page(
                site,
                Page(
                    lp.path,
                    kind,
                    found_via=lp.found_via,
                    title=col.name,
                    column=col.key,
                    list_index=lp.index,
                ),
            )
        for item in col.items:
            charset = ("meta" if item.uid % 2 else "http-equiv") if gbk else ""
            _page(
                site,
                Page(
                    item.path,
                    "article",
                    title=item.title,
                    column=col.key,
                    item=item,
                    charset=charset,
                ),
            )
    _page(site, Page(spec.contact_path, "contact", title="联系我们"))
    if spec.sitemap_page:
        _page(site, Page(spec.sitemap_page, "sitemap", title="网站地图"))
    _page(site, Page("/robots.txt", "robots", found_via="robots"))
    if spec.sitemap_xml:
        _page(site, Page("/sitemap.xml", "sitemap_xml", found_via="robots"))
    for path in site.assets.values():
        _page(site, Page(path, "asset"))
    _add_aliases(site)


def _add_aliases(site: Site) -> None:
    """Directory URLs and their index.html answer the same page (as on a real web server)."""
    for path in list(site.pages):
        if path.endswith("/"):
            alias = path + "index.html"
        elif path.endswith("/index.html"):
            alias = path[: -len("index.html")]
        else:
            continue
        if alias not in site.pages:
            site.aliases.setdefault(alias, path)


def _page_ref(site: Site, ref: str) -> str:
    kind, _, rest = ref.partition(":")
    if kind == "home":
        return "/"
    if kind == "sitemap":
        assert site.spec.sitemap_page
        return site.spec.sitemap_page
    if kind == "section":
        return next(s.path for s in site.sections if s.key == rest)
    if kind == "col":
        return site.column(rest).pages[0].path
    if kind == "item":
        key, _, index = rest.partition(":")
        return site.column(key).items[int(index)].path
    if kind == "page":
        return rest
    raise ValueError(f"bad page reference {ref!r}")


def _target(site: Site, spec: LinkSpec, first_page: str) -> Ref:
    t = spec.target
    if t.startswith(LITERAL_PREFIXES) or spec.element == "template":
        return Ref("literal", t)
    if t.startswith("./"):
        return Ref(site.id, posixpath.join(posixpath.dirname(first_page), t[2:]))
    for prefix in ("site:", "dns:"):
        if t.startswith(prefix):
            host, _, path = t[len(prefix) :].partition("/")
            origin = host if prefix == "site:" else f"dns:{host}"
            return Ref(origin, "/" + path)
    if t.startswith("ext:"):
        return Ref("feeds", "/" + t[4:])
    if t.startswith("refused:"):
        return Ref("refused", t[len("refused:") :])
    return Ref(site.id, t)


def _place_links(site: Site) -> None:
    for spec in site.spec.links:
        pages = [_page_ref(site, ref) for ref in spec.on]
        target = _target(site, spec, pages[0])
        site.links.append(PlacedLink(spec, target, spec.href, pages))
        if target.origin == site.id:
            _add_endpoint(site, spec, target.path.partition("?")[0])


def _add_endpoint(site: Site, spec: LinkSpec, path: str) -> None:
    b = spec.behaviour
    title = spec.text
    if b in ("404", "500"):
        _page(site, Page(path, "status", status=int(b), in_truth=False))
    elif b in ("soft404", "hang"):
        _page(site, Page(path, b, in_truth=False))
    elif b == "trs_deleted":
        _page(site, Page(path, b, in_truth=False, location=_deleted_parent(site, path)))
    elif b == "redirect404":
        _page(
            site,
            Page(
                path,
                "redirect",
                status=302,
                in_truth=False,
                location=posixpath.splitext(path)[0] + "_moved.html",
            ),
        )
    elif b in ("transient503", "ratelimit429", "slow"):
        _page(site, Page(path, "simple", title=title, gate=b, in_truth=False))
    elif b in ("head405", "file", "tiny"):
        _page(
            site,
            Page(
                path,
                "attachment",
                title=title,
                head405=b == "head405",
                payload="tiny" if b == "tiny" else "",
                in_truth=b != "head405",
            ),
        )
    elif b == "chain3":
        final = "/" + posixpath.basename(path) + "/index.html"
        hops = [path, f"{path}_2", f"{path}_3"]
        nexts = [*hops[1:], final]
        for hop, nxt, status in zip(hops, nexts, (302, 301, 302), strict=True):
            _page(site, Page(hop, "redirect", status=status, location=nxt, in_truth=False))
        _page(site, Page(final, "simple", title=title, found_via="redirect"))
    elif b == "page":
        # An ordinary content page (e.g. 政府信息公开制度): no column, no fault.
        _page(site, Page(path, "simple", title=title))
    elif b == "base_page":
        base = path + "content/"
        links = [("hjbh.html", "环境保护"), ("spaq.html", "食品安全")]
        site.base_trap = BaseTrap(page=path, base=base, links=links)
        _page(site, Page(path, "base_page", title=title))
        for href, text in links:
            _page(site, Page(base + href, "simple", title=text))


def _deleted_parent(site: Site, path: str) -> str:
    """Where a deleted document's meta-refresh points: the parent folder (TRS) or column."""
    match = re.search(r"/art_(\d+)_\d+\.html$", path)
    if site.spec.style == "hanweb" and match:
        return f"/col/col{match.group(1)}/index.html"
    return "../"


def _mark_found_via(site: Site) -> None:
    """How a crawler can first reach each article (plain links beat pagers and APIs)."""
    plain: set[str] = set()
    for _, items in site.home_blocks:
        plain.update(i.path for i in items)
    for blocks in site.section_blocks.values():
        for _, items in blocks:
            plain.update(i.path for i in items)
    for item in site.items():
        plain.update(r.ref.path for r in item.related if r.ref.origin == site.id)
    for col in site.columns:
        via_pager = "script_api" if col.script_filled else None
        for lp in col.pages:
            for item in lp.items:
                page = site.pages[item.path]
                page.found_via = "html" if item.path in plain else lp.found_via
        if via_pager:
            for item in col.items:
                page = site.pages[item.path]
                page.found_via = "html" if item.path in plain else via_pager


# ---------------------------------------------------------------------------------------------
# feeds
# ---------------------------------------------------------------------------------------------
def _build_feed(spec: FeedSpec, sites: dict[str, Site]) -> Feed:
    if spec.kind == "missing":
        return Feed(spec, [])
    rng = _rng("feed", spec.path)
    site = sites[spec.unit]
    targets = site.column(spec.links_to).items if spec.links_to else []
    d = AS_OF - timedelta(days=spec.newest or 0)
    posts = []
    for n in range(spec.count):
        title = texts.title_for("news", rng)
        link = Ref(site.id, targets[n].path if n < len(targets) else "/")
        posts.append(
            FeedPost(
                title=title,
                published=d,
                time=_time(rng),
                link=link,
                summary=texts.paragraphs(rng, texts.topic_of(title), 1)[0],
            )
        )
        d -= timedelta(days=rng.randint(*spec.gap))
    return Feed(spec, posts)
