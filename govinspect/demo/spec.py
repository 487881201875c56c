"""The demo town's design, as data: sites, columns, planted links, policies and feeds.

Every planted fault and trap is declared here, in one place; ``model.build_town`` turns these tables
into the model from which both the pages and the ground-truth manifest are produced.  Dates are
given either as absolute dates or as a number of days before ``AS_OF``.

Link targets use a small notation (resolved in ``model``):

- ``/path?query``            a path on the site itself;
- ``./name``                 relative to the directory of the first page the link is placed on;
- ``site:<id>/path``         a page on another demo site;
- ``ext:<host>/path``        an outside-world URL, served by the feeds/"external" host as
                             ``/<host>/path``;
- ``refused:/path``          the reserved port on which connections are refused;
- ``dns:<host>/path``        a host under the reserved ``.invalid`` TLD (never resolves);
- ``javascript:``/``mailto:``/``tel:``/``#``  literal hrefs that must never be fetched.

Page references (where a link is placed): ``home``, ``sitemap``, ``section:<key>``,
``col:<key>`` (first list page), ``item:<key>:<n>`` (n-th newest item of a column, which exists
at every scale), ``page:<path>`` (a special page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

AS_OF = date(2026, 11, 20)

# Items shown per homepage block and per section-page block.
HOME_BLOCK_SIZE = 8
SECTION_BLOCK_SIZE = 5
# Hanweb datastore: records per group = perpage * HANWEB_GROUP_PAGES.
HANWEB_GROUP_PAGES = 3


@dataclass(frozen=True)
class SectionSpec:
    key: str
    name: str
    path: str


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    name: str
    ctype: str  # news|notice|policy|personnel|plan|interpretation|disclosure_guide|...
    path: str  # first list page path
    section: str  # key of the SectionSpec it belongs to
    parent: str | None = None  # key of the parent column (second-level columns)
    pager: str = "trs4"  # trs4|trs6|hanweb|plain|query|script|content
    page_size: int = 20
    count: int = 0  # generic items (policies/letters/reports are added from their own tables)
    newest: int | None = None  # days before AS_OF of the newest generic item
    gap: tuple[int, int] = (0, 3)  # days between consecutive generic items (random in range)
    date_format: str = "iso"
    scaled: bool = False  # multiplied by the town scale
    placeholder: str | None = None  # text shown by a blank list (暂无信息 ...)
    undated: bool = False  # items carry no date anywhere
    home: bool = False  # shown as a block on the homepage
    column_id: int = 0  # TRS ChnlId / Hanweb columnid
    interviews: tuple[date, ...] = ()  # an 在线访谈 column: the dates of its interviews


@dataclass(frozen=True)
class LinkSpec:
    key: str
    role: str  # dead | trap | link
    element: str  # a | img | attachment | onclick | template
    target: str
    on: tuple[str, ...]
    behaviour: str = "none"  # what the server does at the target (see model.Endpoint)
    outcome: str | None = None  # dead: http_error|soft_404|dns_error|connection_refused|timeout
    trap: str | None = None
    text: str = ""
    href: str | None = None  # literal href when it differs from the normal form of the target


@dataclass(frozen=True)
class PolicySpec:
    title: str
    doc_number: str
    published: date
    mode: str  # two_way | one_way | none | copied | late
    interp_published: date | None = None
    topic: str = ""


@dataclass(frozen=True)
class GuideSpec:
    published: date
    cites_order_492: bool
    elements: tuple[str, ...]  # which 条例 Art. 12 elements the text contains


@dataclass(frozen=True)
class LetterSpec:
    """Overrides for one letter of an interaction column (by index, newest first)."""

    index: int
    asked: date
    answered: date | None


@dataclass(frozen=True)
class ConsultationSpec:
    start: date
    end: date
    topic: str = ""  # the draft's name (a feedback page names it); random when empty
    dated: bool = True  # False: the page shows no 征集时间 (planted: no_dates)
    feedback: date | None = None  # when its 意见采纳情况 page was published (None: never)


@dataclass(frozen=True)
class SelfCheckSpec:
    """A quarterly self-check post (自查整改情况) placed in a column of the unit's site."""

    column: str  # column key
    year: int
    quarter: int
    published: date
    title: str


@dataclass(frozen=True)
class SiteSpec:
    id: str
    name: str
    category: str
    style: str  # trs_wcm | hanweb | modern
    encoding: str
    site_code: str
    nominal_domain: str
    icp: str
    psb: str  # 公安备案号, 14 digits
    org_code: str  # 9-character organisation code used in 索引号
    doc_prefix: str  # 文号 prefix
    sections: tuple[SectionSpec, ...]
    columns: tuple[ColumnSpec, ...]
    links: tuple[LinkSpec, ...]
    policies: tuple[PolicySpec, ...] = ()
    policy_fillers: int = 0
    guide: GuideSpec | None = None
    report_years: tuple[int, ...] = ()
    report_publish: tuple[int, int] = (3, 25)  # month, day of the year after
    letters: tuple[LetterSpec, ...] = ()
    consultations: tuple[ConsultationSpec, ...] = ()
    mentions_404: tuple[str, int] | None = None  # (column key, item index)
    sitemap_page: str | None = None
    sitemap_xml: bool = False
    # Registry overrides (column name → type) for names no keyword table can know.
    column_types: tuple[tuple[str, str], ...] = ()
    search_path: str = "/search/"
    contact_path: str = "/lxwm/"
    self_checks: tuple[SelfCheckSpec, ...] = ()


# The outside-world assets every government page carries (served by the feeds/external host).
JIUCUO_PATH = "/zfwzgl.www.gov.cn/exposure/jiucuo.js"
CONAC_SCRIPT_PATH = "/dcs.conac.cn/js/17/000/0000/60429971/CA170000000604299710001.js"
CONAC_SHOW_PATH = "/bszs.conac.cn/sitename"
BEIAN_MIIT_PATH = "/beian.miit.gov.cn/"
BEIAN_PSB_PATH = "/www.beian.gov.cn/portal/registerSystemInfo"
GOV_CN_PATH = "/www.gov.cn/"
PROVINCE_PATH = "/www.henan.gov.cn/"


# ---------------------------------------------------------------------------------------------
# county: 示范县人民政府, TRS WCM, GBK
# ---------------------------------------------------------------------------------------------
_COUNTY_SECTIONS = (
    SectionSpec("xwzx", "新闻中心", "/xwzx/"),
    SectionSpec("zwgk", "政务公开", "/zwgk/"),
    SectionSpec("hdjl", "互动交流", "/hdjl/"),
)

_COUNTY_COLUMNS = (
    ColumnSpec(
        "zwyw",
        "政务要闻",
        "news",
        "/xwzx/zwyw/",
        "xwzx",
        page_size=20,
        count=45,
        newest=1,
        gap=(0, 3),
        date_format="iso",
        scaled=True,
        home=True,
        column_id=51,
    ),
    ColumnSpec(
        "gzdt",
        "工作动态",
        "news",
        "/xwzx/gzdt/",
        "xwzx",
        page_size=15,
        count=40,
        newest=3,
        gap=(0, 4),
        date_format="bracket_md",
        scaled=True,
        home=True,
        column_id=52,
    ),
    ColumnSpec(
        "bmdt",
        "部门动态",
        "news",
        "/xwzx/bmdt/",
        "xwzx",
        page_size=20,
        count=30,
        newest=2,
        gap=(0, 5),
        date_format="slash",
        scaled=True,
        column_id=53,
    ),
    ColumnSpec(
        "jydt",
        "教育动态",
        "news",
        "/xwzx/bmdt/jydt/",
        "xwzx",
        parent="bmdt",
        page_size=20,
        count=12,
        newest=40,
        gap=(3, 12),
        date_format="slash",
        column_id=54,
    ),
    ColumnSpec("wjdt", "卫健动态", "news", "/xwzx/bmdt/wjdt/", "xwzx", parent="bmdt", column_id=55),
    ColumnSpec(
        "xzdt",
        "乡镇动态",
        "news",
        "/xwzx/bmdt/xzdt/",
        "xwzx",
        parent="bmdt",
        pager="script",
        page_size=10,
        count=27,
        newest=5,
        gap=(0, 4),
        date_format="iso",
        column_id=56,
    ),
    ColumnSpec(
        "tzgg",
        "通知公告",
        "notice",
        "/zwgk/tzgg/",
        "zwgk",
        page_size=20,
        count=40,
        newest=2,
        gap=(0, 4),
        date_format="dot",
        scaled=True,
        home=True,
        column_id=61,
    ),
    ColumnSpec(
        "zcwj",
        "政策文件",
        "policy",
        "/zwgk/zcwj/",
        "zwgk",
        page_size=5,
        date_format="iso",
        home=True,
        column_id=62,
    ),
    ColumnSpec(
        "gfxwj",
        "规范性文件",
        "policy",
        "/zwgk/gfxwj/list_gfxwj.shtml",
        "zwgk",
        pager="trs6",
        page_size=10,
        count=23,
        newest=220,
        gap=(5, 30),
        date_format="cn",
        column_id=63,
    ),
    ColumnSpec(
        "zcjd",
        "政策解读",
        "interpretation",
        "/zwgk/zcjd/",
        "zwgk",
        page_size=20,
        date_format="iso",
        column_id=64,
    ),
    ColumnSpec(
        "rsxx",
        "人事信息",
        "personnel",
        "/zwgk/rsxx/",
        "zwgk",
        page_size=20,
        count=14,
        newest=400,
        gap=(10, 40),
        date_format="iso_time",
        column_id=65,
    ),
    ColumnSpec(
        "ghjh",
        "规划计划",
        "plan",
        "/zwgk/ghjh/",
        "zwgk",
        page_size=20,
        count=9,
        newest=120,
        gap=(20, 90),
        date_format="iso",
        column_id=66,
    ),
    ColumnSpec(
        "czxx", "财政信息", "other", "/zwgk/czxx/", "zwgk", placeholder="暂无信息", column_id=67
    ),
    ColumnSpec(
        "bmfw",
        "便民服务",
        "other",
        "/zwgk/bmfw/",
        "zwgk",
        count=8,
        newest=30,
        gap=(5, 20),
        undated=True,
        column_id=68,
    ),
    ColumnSpec(
        "xxgkzn",
        "政府信息公开指南",
        "disclosure_guide",
        "/zwgk/xxgkzn/",
        "zwgk",
        pager="content",
        column_id=69,
    ),
    ColumnSpec(
        "xxgknb",
        "政府信息公开年报",
        "annual_report",
        "/zwgk/xxgknb/",
        "zwgk",
        date_format="iso",
        column_id=70,
    ),
    ColumnSpec(
        "xzxx",
        "县长信箱",
        "interaction",
        "/hdjl/xzxx/",
        "hdjl",
        page_size=10,
        count=12,
        newest=2,
        gap=(1, 6),
        date_format="iso",
        column_id=81,
    ),
    ColumnSpec(
        "yjzj",
        "意见征集",
        "consultation",
        "/hdjl/yjzj/",
        "hdjl",
        page_size=10,
        date_format="cn",
        column_id=82,
    ),
    ColumnSpec(
        "zxft",
        "在线访谈",
        "interaction",
        "/hdjl/zxft/",
        "hdjl",
        page_size=10,
        date_format="iso",
        column_id=83,
        # One interview in the year before the monitoring point, one before it.
        interviews=(date(2026, 6, 18), date(2025, 5, 20)),
    ),
)

_COUNTY_LINKS = (
    # --- dead links ------------------------------------------------------------------------
    LinkSpec(
        "county_404",
        "dead",
        "a",
        "/xwzx/zwyw/201905/t20190510_3321.html",
        ("home", "item:zwyw:0", "item:tzgg:1", "col:gzdt"),
        "404",
        "http_error",
        text="全县脱贫攻坚工作总结（2019年）",
    ),
    LinkSpec(
        "county_500",
        "dead",
        "a",
        "/zwgk/bmfw/cx.jsp?type=1",
        ("col:bmfw", "item:tzgg:0"),
        "500",
        "http_error",
        text="办件进度查询",
    ),
    LinkSpec(
        "county_soft404",
        "dead",
        "a",
        "/zwgk/zcjd/202401/t20240105_5002.html",
        ("home", "item:zcjd:0"),
        "soft404",
        "soft_404",
        text="图解：2024年县政府工作报告",
    ),
    LinkSpec(
        "county_deleted_1",
        "dead",
        "a",
        "/zwgk/tzgg/202503/t20250312_7701.html",
        ("item:tzgg:2",),
        "trs_deleted",
        "soft_404",
        text="关于春季植树造林工作的通知",
    ),
    LinkSpec(
        "county_deleted_2",
        "dead",
        "a",
        "/xwzx/gzdt/202502/t20250220_7702.html",
        ("item:gzdt:0", "item:zwyw:1"),
        "trs_deleted",
        "soft_404",
        text="我县召开春节安全生产工作会议",
    ),
    LinkSpec(
        "county_dns",
        "dead",
        "a",
        "dns:www.sfxly.invalid/",
        ("home",),
        "none",
        "dns_error",
        text="示范县旅游网",
    ),
    LinkSpec(
        "county_refused",
        "dead",
        "a",
        "refused:/old/index.html",
        ("home", "sitemap"),
        "none",
        "connection_refused",
        text="示范县人民政府网站（旧版）",
    ),
    LinkSpec(
        "county_timeout",
        "dead",
        "a",
        "/hdjl/zxft/live.jsp",
        ("col:xzxx", "section:hdjl"),
        "hang",
        "timeout",
        text="在线访谈直播间",
    ),
    LinkSpec(
        "county_img",
        "dead",
        "img",
        "/images/banner_2025.jpg",
        ("home",),
        "404",
        "http_error",
        text="专题横幅",
    ),
    LinkSpec(
        "county_att_pdf",
        "dead",
        "attachment",
        "./P020261110384521.pdf",
        ("item:tzgg:0",),
        "404",
        "http_error",
        text="附件1：申报表.pdf",
    ),
    LinkSpec(
        "county_att_doc",
        "dead",
        "attachment",
        "./P020261028551203.doc",
        ("item:zcwj:0",),
        "404",
        "http_error",
        text="附件：政策问答.doc",
    ),
    LinkSpec(
        "county_redirect404",
        "dead",
        "a",
        "/zwgk/old/zwgk.html",
        ("item:zwyw:2",),
        "redirect404",
        "http_error",
        text="政务公开（旧栏目）",
    ),
    # --- traps that are NOT dead -----------------------------------------------------------
    LinkSpec(
        "county_503",
        "trap",
        "a",
        "/xwzx/ztbd/index.html",
        ("home",),
        "transient503",
        trap="transient_503",
        text="专题报道",
    ),
    LinkSpec(
        "county_429",
        "trap",
        "a",
        "/zwgk/sjfb/index.html",
        ("home",),
        "ratelimit429",
        trap="retry_after_429",
        text="数据发布",
    ),
    LinkSpec(
        "county_slow",
        "trap",
        "a",
        "/zwgk/xxgkml/index.html",
        ("home", "section:zwgk"),
        "slow",
        trap="slow_page",
        text="政府信息公开目录",
    ),
    LinkSpec(
        "county_head405",
        "trap",
        "attachment",
        "./P020261118000123.xls",
        ("item:tzgg:0",),
        "head405",
        trap="head_405",
        text="附件2：汇总表.xls",
    ),
    LinkSpec(
        "county_chain",
        "trap",
        "a",
        "/go/ztzl",
        ("home",),
        "chain3",
        trap="redirect_chain",
        text="专题专栏",
    ),
    LinkSpec(
        "county_pct_raw",
        "trap",
        "attachment",
        "/附件/通知.pdf",
        ("item:tzgg:1",),
        "file",
        trap="percent_encoded_path",
        text="通知.pdf",
    ),
    LinkSpec(
        "county_pct_enc",
        "trap",
        "attachment",
        "/附件/通知.pdf",
        ("item:tzgg:3",),
        "file",
        trap="percent_encoded_path",
        text="通知全文.pdf",
        href="/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf",
    ),
    LinkSpec(
        "county_base",
        "trap",
        "a",
        "/zwgk/zdly/",
        ("section:zwgk", "home"),
        "base_page",
        trap="base_href",
        text="重点领域信息公开",
    ),
    LinkSpec(
        "county_js", "trap", "a", "javascript:void(0)", ("home",), trap="javascript", text="繁体版"
    ),
    LinkSpec(
        "county_mailto",
        "trap",
        "a",
        "mailto:sfxzfb@sfx.gov.cn",
        ("page:/lxwm/", "home"),
        trap="mailto",
        text="sfxzfb@sfx.gov.cn",
    ),
    LinkSpec(
        "county_tel",
        "trap",
        "a",
        "tel:0371-12345678",
        ("page:/lxwm/",),
        trap="tel",
        text="0371-12345678",
    ),
    LinkSpec(
        "county_fragment",
        "trap",
        "a",
        "#main",
        ("home", "item:zwyw:0"),
        trap="fragment",
        text="跳到主要内容",
    ),
    LinkSpec(
        "county_template",
        "trap",
        "template",
        "el.url",
        ("home", "col:xzdt"),
        trap="template_pseudo_link",
        text="el.title",
    ),
    LinkSpec(
        "county_tiny",
        "trap",
        "attachment",
        "./P020261115000456.doc",
        ("item:tzgg:1",),
        "tiny",
        trap="tiny_attachment",
        text="附件：报名表.doc",
    ),
    LinkSpec(
        "county_onclick",
        "trap",
        "onclick",
        "/hdjl/xzxx/",
        ("home",),
        trap="onclick_window_open",
        text="我要写信",
    ),
    # --- live links to the other demo sites ------------------------------------------------
    LinkSpec("county_to_dept", "link", "a", "site:dept/", ("home",), text="示范县教育局"),
    # The two other standard 政府信息公开 sections (国办公开办函〔2019〕61号).
    LinkSpec(
        "county_xxgkzd",
        "link",
        "a",
        "/zwgk/xxgkzd/index.html",
        ("home",),
        behaviour="page",
        text="政府信息公开制度",
    ),
    LinkSpec(
        "county_fdzdgknr",
        "link",
        "a",
        "/zwgk/fdzdgknr/index.html",
        ("home",),
        behaviour="page",
        text="法定主动公开内容",
    ),
    LinkSpec(
        "county_to_modern", "link", "a", "site:modern/", ("home",), text="示范县发展和改革委员会"
    ),
)

_COUNTY_POLICIES = (
    PolicySpec(
        "示范县人民政府关于印发《示范县冬季清洁取暖实施方案》的通知",
        "示政〔2026〕21号",
        date(2026, 11, 3),
        "two_way",
        date(2026, 11, 3),
        "冬季供暖保障",
    ),
    PolicySpec(
        "示范县人民政府办公室关于进一步优化营商环境的若干措施",
        "示政办〔2026〕35号",
        date(2026, 10, 15),
        "two_way",
        date(2026, 10, 16),
        "营商环境优化",
    ),
    PolicySpec(
        "示范县人民政府关于印发《示范县农村供水保障办法》的通知",
        "示政〔2026〕18号",
        date(2026, 9, 22),
        "one_way",
        date(2026, 9, 23),
        "乡村振兴",
    ),
    PolicySpec(
        "示范县人民政府办公室关于印发《示范县城乡居民医疗保险实施细则》的通知",
        "示政办〔2026〕29号",
        date(2026, 9, 1),
        "none",
        None,
        "城乡居民医疗保障",
    ),
    PolicySpec(
        "示范县人民政府关于印发《示范县高标准农田建设管理办法》的通知",
        "示政〔2026〕15号",
        date(2026, 8, 10),
        "copied",
        date(2026, 8, 12),
        "高标准农田建设",
    ),
    PolicySpec(
        "示范县人民政府关于印发《示范县促进就业创业若干政策》的通知",
        "示政〔2026〕12号",
        date(2026, 7, 6),
        "late",
        date(2026, 7, 14),
        "就业创业服务",
    ),
)

COUNTY = SiteSpec(
    id="county",
    name="示范县人民政府",
    category="county",
    style="trs_wcm",
    encoding="gbk",
    site_code="4102210001",
    nominal_domain="www.sfx.gov.cn",
    icp="豫ICP备05070218号",
    psb="41022102000101",
    org_code="005308441",
    doc_prefix="示政",
    sections=_COUNTY_SECTIONS,
    columns=_COUNTY_COLUMNS,
    links=_COUNTY_LINKS,
    policies=_COUNTY_POLICIES,
    policy_fillers=4,
    guide=GuideSpec(date(2015, 6, 1), True, ("申请方式", "办公地址", "联系电话")),
    report_years=(2019, 2020, 2021, 2022, 2023, 2024),
    report_publish=(3, 25),
    letters=(),
    consultations=(
        # Running: nothing to say yet.
        ConsultationSpec(date(2026, 11, 10), date(2026, 12, 10), "城区停车管理办法"),
        # Planted: the page shows no 征集时间 (no_dates).
        ConsultationSpec(date(2026, 10, 12), date(2026, 11, 11), "农村人居环境整治实施方案", False),
        # Planted: 10 days (too_short); its feedback is published.
        ConsultationSpec(
            date(2026, 9, 15), date(2026, 9, 25), "养犬管理规定", feedback=date(2026, 10, 20)
        ),
        # A proper one: 30 days, feedback published.
        ConsultationSpec(
            date(2026, 6, 1), date(2026, 7, 1), "城乡供水管理办法", feedback=date(2026, 7, 20)
        ),
        # Planted: over for months, no feedback (no_feedback).
        ConsultationSpec(date(2026, 3, 2), date(2026, 4, 1), "公共文化服务实施意见"),
        # Before the year before the monitoring point: not judged.
        ConsultationSpec(date(2025, 11, 3), date(2025, 12, 3), "集贸市场管理办法"),
    ),
    mentions_404=("zwyw", 3),
    sitemap_page="/wzdt/",
    sitemap_xml=True,
    search_path="/search/",
    # 2026Q2 published on time, 2026Q1 (due 2026-05-31) missing; 2025Q4 is older than the
    # checked year but found.
    self_checks=(
        SelfCheckSpec(
            "tzgg",
            2026,
            2,
            date(2026, 8, 26),
            "示范县人民政府2026年第二季度政府网站和政务新媒体自查整改情况报告",
        ),
        SelfCheckSpec(
            "tzgg",
            2025,
            4,
            date(2026, 2, 24),
            "关于2025年第四季度政府网站和政务新媒体检查情况的通报",
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# dept: 示范县教育局, Hanweb/大汉 JCMS, UTF-8
# ---------------------------------------------------------------------------------------------
_DEPT_SECTIONS = (
    SectionSpec("1100", "新闻动态", "/col/col1100/index.html"),
    SectionSpec("1200", "政务公开", "/col/col1200/index.html"),
    SectionSpec("1300", "互动交流", "/col/col1300/index.html"),
)


def _hw(key: str, name: str, ctype: str, section: str, **kw: Any) -> ColumnSpec:
    """A Hanweb column: URL and columnid follow from the key."""
    return ColumnSpec(
        key,
        name,
        ctype,
        f"/col/col{key}/index.html",
        section,
        pager="hanweb",
        column_id=int(key),
        **kw,
    )


_DEPT_COLUMNS = (
    _hw(
        "1101",
        "工作动态",
        "news",
        "1100",
        page_size=15,
        count=50,
        newest=25,
        gap=(0, 3),
        date_format="iso",
        scaled=True,
        home=True,
    ),
    _hw(
        "1102",
        "通知公告",
        "notice",
        "1100",
        page_size=10,
        count=36,
        newest=200,
        gap=(2, 8),
        date_format="slash",
        scaled=True,
        home=True,
    ),
    _hw(
        "1201",
        "部门动态",
        "news",
        "1200",
        page_size=15,
        count=20,
        newest=4,
        gap=(0, 5),
        date_format="cn",
    ),
    _hw(
        "1202",
        "教育动态",
        "news",
        "1200",
        parent="1201",
        page_size=10,
        count=18,
        newest=6,
        gap=(0, 6),
        date_format="iso",
    ),
    _hw("1203", "校园安全", "news", "1200", parent="1201", placeholder="暂无数据"),
    _hw("1204", "政策文件", "policy", "1200", page_size=10, date_format="iso"),
    _hw("1205", "政策解读", "interpretation", "1200", page_size=15, date_format="iso"),
    _hw("1206", "人事信息", "personnel", "1200", placeholder="栏目建设中"),
    _hw(
        "1207",
        "规划计划",
        "plan",
        "1200",
        page_size=15,
        count=6,
        newest=500,
        gap=(30, 120),
        date_format="iso",
    ),
    ColumnSpec(
        "1208",
        "政府信息公开指南",
        "disclosure_guide",
        "/col/col1208/index.html",
        "1200",
        pager="content",
        column_id=1208,
    ),
    _hw("1209", "政府信息公开年报", "annual_report", "1200", page_size=15, date_format="iso"),
    _hw(
        "1210",
        "学校风采",
        "other",
        "1200",
        page_size=5,
        count=16,
        newest=9,
        gap=(1, 8),
        date_format="iso_time",
    ),
    _hw(
        "1301",
        "局长信箱",
        "interaction",
        "1300",
        page_size=10,
        count=10,
        newest=3,
        gap=(2, 9),
        date_format="iso",
    ),
    _hw("1302", "意见征集", "consultation", "1300", placeholder="暂无数据"),
)

_DEPT_LINKS = (
    LinkSpec(
        "dept_404",
        "dead",
        "a",
        "/art/2019/6/5/art_1101_3389.html",
        ("home", "item:1101:0", "item:1201:0"),
        "404",
        "http_error",
        text="2019年全县教育工作会议召开",
    ),
    LinkSpec(
        "dept_500",
        "dead",
        "a",
        "/module/xxgk/serviceinfo.jsp?id=12",
        ("col:1204",),
        "500",
        "http_error",
        text="依申请公开",
    ),
    LinkSpec(
        "dept_soft404",
        "dead",
        "a",
        "/art/2024/3/8/art_1205_5521.html",
        ("item:1204:0",),
        "soft404",
        "soft_404",
        text="《示范县学前教育三年行动计划》解读",
    ),
    LinkSpec(
        "dept_deleted",
        "dead",
        "a",
        "/art/2025/1/6/art_1102_7730.html",
        ("item:1102:0",),
        "trs_deleted",
        "soft_404",
        text="关于寒假安全教育的通知",
    ),
    LinkSpec(
        "dept_dns",
        "dead",
        "a",
        "dns:jyj.sfx-old.invalid/",
        ("home",),
        "none",
        "dns_error",
        text="示范县教育信息网",
    ),
    LinkSpec(
        "dept_refused",
        "dead",
        "a",
        "refused:/jyzx/index.html",
        ("home",),
        "none",
        "connection_refused",
        text="教育资源公共服务平台",
    ),
    LinkSpec(
        "dept_timeout",
        "dead",
        "a",
        "/module/jslib/live/live.jsp",
        ("col:1301",),
        "hang",
        "timeout",
        text="在线咨询",
    ),
    LinkSpec(
        "dept_img",
        "dead",
        "img",
        "/picture/0/banner_2024.jpg",
        ("home", "item:1101:1"),
        "404",
        "http_error",
        text="教育宣传图",
    ),
    LinkSpec(
        "dept_att",
        "dead",
        "attachment",
        "/attach/0/P0202611051234.pdf",
        ("item:1102:0",),
        "404",
        "http_error",
        text="附件：报名汇总表.pdf",
    ),
    LinkSpec(
        "dept_redirect404",
        "dead",
        "a",
        "/col/col1999/index.html",
        ("section:1200",),
        "redirect404",
        "http_error",
        text="教育统计（旧栏目）",
    ),
    LinkSpec(
        "dept_503",
        "trap",
        "a",
        "/zt/2026jyzt/index.html",
        ("home",),
        "transient503",
        trap="transient_503",
        text="教育强县专题",
    ),
    LinkSpec(
        "dept_429",
        "trap",
        "a",
        "/module/xxgk/tree.jsp",
        ("col:1204",),
        "ratelimit429",
        trap="retry_after_429",
        text="信息公开目录",
    ),
    LinkSpec(
        "dept_head405",
        "trap",
        "attachment",
        "/attach/0/P0202610281234.docx",
        ("item:1204:0",),
        "head405",
        trap="head_405",
        text="附件：实施细则.docx",
    ),
    LinkSpec(
        "dept_pct_raw",
        "trap",
        "attachment",
        "/附件/2026年招生简章.pdf",
        ("item:1102:1",),
        "file",
        trap="percent_encoded_path",
        text="2026年招生简章.pdf",
    ),
    LinkSpec(
        "dept_pct_enc",
        "trap",
        "attachment",
        "/附件/2026年招生简章.pdf",
        ("item:1101:3",),
        "file",
        trap="percent_encoded_path",
        text="招生简章",
        href="/%E9%99%84%E4%BB%B6/2026%E5%B9%B4%E6%8B%9B%E7%94%9F%E7%AE%80%E7%AB%A0.pdf",
    ),
    LinkSpec(
        "dept_js",
        "trap",
        "a",
        "javascript:void(0)",
        ("home",),
        trap="javascript",
        text="无障碍浏览",
    ),
    LinkSpec(
        "dept_mailto",
        "trap",
        "a",
        "mailto:sfxjyj@sfx.gov.cn",
        ("page:/lxwm/",),
        trap="mailto",
        text="sfxjyj@sfx.gov.cn",
    ),
    LinkSpec(
        "dept_tel",
        "trap",
        "a",
        "tel:0371-12345600",
        ("page:/lxwm/",),
        trap="tel",
        text="0371-12345600",
    ),
    LinkSpec(
        "dept_fragment", "trap", "a", "#top", ("item:1101:0",), trap="fragment", text="返回顶部"
    ),
    LinkSpec(
        "dept_template",
        "trap",
        "template",
        "share.sina",
        ("item:1101:0",),
        trap="template_pseudo_link",
        text="微博",
    ),
    LinkSpec(
        "dept_tiny",
        "trap",
        "attachment",
        "/attach/0/P0202610150001.xls",
        ("item:1102:1",),
        "tiny",
        trap="tiny_attachment",
        text="附件：统计表.xls",
    ),
    LinkSpec(
        "dept_onclick",
        "trap",
        "onclick",
        "/col/col1301/index.html",
        ("home",),
        trap="onclick_window_open",
        text="局长信箱",
    ),
    LinkSpec("dept_to_county", "link", "a", "site:county/", ("home",), text="示范县人民政府"),
    # The two other standard 政府信息公开 sections (国办公开办函〔2019〕61号).
    LinkSpec(
        "dept_xxgkzd",
        "link",
        "a",
        "/zwgk/xxgkzd/index.html",
        ("home",),
        behaviour="page",
        text="政府信息公开制度",
    ),
    LinkSpec(
        "dept_fdzdgknr",
        "link",
        "a",
        "/zwgk/fdzdgknr/index.html",
        ("home",),
        behaviour="page",
        text="法定主动公开内容",
    ),
)

_DEPT_POLICIES = (
    PolicySpec(
        "示范县教育局关于印发《示范县中小学课后服务管理办法》的通知",
        "示教〔2026〕31号",
        date(2026, 9, 18),
        "two_way",
        date(2026, 9, 18),
        "学生资助",
    ),
    PolicySpec(
        "示范县教育局关于做好2026年秋季学期学生资助工作的通知",
        "示教〔2026〕27号",
        date(2026, 8, 28),
        "two_way",
        date(2026, 8, 31),
        "学生资助",
    ),
)

DEPT = SiteSpec(
    id="dept",
    name="示范县教育局",
    category="department",
    style="hanweb",
    encoding="utf-8",
    site_code="4102210012",
    nominal_domain="jyj.sfx.gov.cn",
    icp="豫ICP备05070218号-2",
    psb="41022102000112",
    org_code="005308502",
    doc_prefix="示教",
    sections=_DEPT_SECTIONS,
    columns=_DEPT_COLUMNS,
    links=_DEPT_LINKS,
    policies=_DEPT_POLICIES,
    policy_fillers=9,
    guide=GuideSpec(date(2021, 3, 15), False, ("申请方式", "办公地址", "办公时间", "联系电话")),
    report_years=(2020, 2021, 2022, 2023, 2024, 2025),
    report_publish=(1, 25),
    # Planted (互动回应差): one letter answered after more than 3 months, one never answered.
    letters=(
        LetterSpec(8, date(2026, 4, 1), date(2026, 7, 15)),
        LetterSpec(9, date(2026, 7, 10), None),
    ),
    mentions_404=("1101", 2),
    sitemap_page=None,
    sitemap_xml=False,
    search_path="/module/search/index.html",
    column_types=(("校园安全", "news"),),
)


# ---------------------------------------------------------------------------------------------
# modern: 示范县发展和改革委员会, clean and fully compliant, UTF-8
# ---------------------------------------------------------------------------------------------
_MODERN_SECTIONS = (
    SectionSpec("xwdt", "新闻动态", "/xwdt/"),
    SectionSpec("xxgk", "信息公开", "/xxgk/"),
    SectionSpec("hdjl", "互动交流", "/hdjl/"),
)

_MODERN_COLUMNS = (
    ColumnSpec(
        "fgyw",
        "发改要闻",
        "news",
        "/xwdt/fgyw/",
        "xwdt",
        pager="plain",
        page_size=10,
        count=24,
        newest=1,
        gap=(0, 3),
        scaled=True,
        home=True,
        column_id=1,
    ),
    ColumnSpec(
        "ksdt",
        "科室动态",
        "news",
        "/xwdt/fgyw/ksdt/",
        "xwdt",
        parent="fgyw",
        pager="plain",
        page_size=10,
        count=12,
        newest=3,
        gap=(0, 4),
        column_id=2,
    ),
    ColumnSpec(
        "tzgg",
        "通知公告",
        "notice",
        "/xxgk/tzgg/",
        "xxgk",
        pager="query",
        page_size=10,
        count=18,
        newest=3,
        gap=(1, 8),
        scaled=True,
        home=True,
        column_id=3,
    ),
    ColumnSpec(
        "zcwj",
        "政策文件",
        "policy",
        "/xxgk/zcwj/",
        "xxgk",
        pager="query",
        page_size=5,
        home=True,
        column_id=4,
    ),
    ColumnSpec(
        "zcjd",
        "政策解读",
        "interpretation",
        "/xxgk/zcjd/",
        "xxgk",
        pager="query",
        page_size=5,
        column_id=5,
    ),
    ColumnSpec(
        "rsxx",
        "人事信息",
        "personnel",
        "/xxgk/rsxx/",
        "xxgk",
        pager="plain",
        page_size=10,
        count=8,
        newest=40,
        gap=(10, 40),
        column_id=6,
    ),
    ColumnSpec(
        "ghjh",
        "规划计划",
        "plan",
        "/xxgk/ghjh/",
        "xxgk",
        pager="plain",
        page_size=10,
        count=6,
        newest=60,
        gap=(20, 60),
        column_id=7,
    ),
    ColumnSpec(
        "zn",
        "政府信息公开指南",
        "disclosure_guide",
        "/xxgk/zn/",
        "xxgk",
        pager="content",
        column_id=8,
    ),
    ColumnSpec(
        "nb",
        "政府信息公开年报",
        "annual_report",
        "/xxgk/nb/",
        "xxgk",
        pager="plain",
        page_size=10,
        column_id=9,
    ),
    ColumnSpec(
        "jgzn",
        "机构职能",
        "other",
        "/xxgk/jgzn/",
        "xxgk",
        pager="plain",
        page_size=10,
        count=5,
        newest=30,
        gap=(30, 90),
        column_id=10,
    ),
    ColumnSpec(
        "zrxx",
        "主任信箱",
        "interaction",
        "/hdjl/zrxx/",
        "hdjl",
        pager="plain",
        page_size=10,
        count=10,
        newest=2,
        gap=(1, 5),
        column_id=11,
    ),
    ColumnSpec(
        "yjzj",
        "意见征集",
        "consultation",
        "/hdjl/yjzj/",
        "hdjl",
        pager="plain",
        page_size=10,
        column_id=12,
    ),
    ColumnSpec(
        "zxft",
        "在线访谈",
        "interaction",
        "/hdjl/zxft/",
        "hdjl",
        pager="plain",
        page_size=10,
        column_id=13,
        interviews=(date(2026, 10, 15), date(2026, 4, 10)),
    ),
)

_MODERN_LINKS = (
    LinkSpec(
        "modern_js", "trap", "a", "javascript:void(0)", ("home",), trap="javascript", text="关怀版"
    ),
    LinkSpec(
        "modern_mailto",
        "trap",
        "a",
        "mailto:sfxfgw@sfx.gov.cn",
        ("page:/lxwm/",),
        trap="mailto",
        text="sfxfgw@sfx.gov.cn",
    ),
    LinkSpec(
        "modern_tel",
        "trap",
        "a",
        "tel:0371-12345666",
        ("page:/lxwm/",),
        trap="tel",
        text="0371-12345666",
    ),
    LinkSpec(
        "modern_fragment", "trap", "a", "#content", ("home",), trap="fragment", text="跳过导航"
    ),
    LinkSpec("modern_to_county", "link", "a", "site:county/", ("home",), text="示范县人民政府"),
    # The two other standard 政府信息公开 sections (国办公开办函〔2019〕61号).
    LinkSpec(
        "modern_xxgkzd",
        "link",
        "a",
        "/xxgk/xxgkzd/index.html",
        ("home",),
        behaviour="page",
        text="政府信息公开制度",
    ),
    LinkSpec(
        "modern_fdzdgknr",
        "link",
        "a",
        "/xxgk/fdzdgknr/index.html",
        ("home",),
        behaviour="page",
        text="法定主动公开内容",
    ),
)

_MODERN_POLICIES = tuple(
    PolicySpec(title, f"示发改〔2026〕{num}号", published, "two_way", interp, topic)
    for title, num, published, interp, topic in (
        (
            "示范县发展和改革委员会关于做好2026年冬季能源保供工作的通知",
            41,
            date(2026, 11, 5),
            date(2026, 11, 5),
            "冬季供暖保障",
        ),
        (
            "示范县发展和改革委员会关于印发《示范县重点项目管理办法》的通知",
            38,
            date(2026, 10, 20),
            date(2026, 10, 21),
            "项目建设",
        ),
        (
            "示范县发展和改革委员会关于进一步规范涉企收费的通知",
            33,
            date(2026, 9, 24),
            date(2026, 9, 24),
            "营商环境优化",
        ),
        (
            "示范县发展和改革委员会关于印发《示范县粮食应急保障预案》的通知",
            29,
            date(2026, 8, 17),
            date(2026, 8, 18),
            "秋粮收购",
        ),
        (
            "示范县发展和改革委员会关于做好社会信用体系建设工作的通知",
            24,
            date(2026, 7, 13),
            date(2026, 7, 13),
            "营商环境优化",
        ),
        (
            "示范县发展和改革委员会关于印发《示范县价格监测工作规程》的通知",
            19,
            date(2026, 6, 8),
            date(2026, 6, 9),
            "民生实事",
        ),
        (
            "示范县发展和改革委员会关于推进招商引资项目落地的实施意见",
            12,
            date(2026, 4, 20),
            date(2026, 4, 20),
            "招商引资",
        ),
        (
            "示范县发展和改革委员会关于印发《示范县节能审查实施细则》的通知",
            6,
            date(2026, 3, 9),
            date(2026, 3, 10),
            "项目建设",
        ),
    )
)

MODERN = SiteSpec(
    id="modern",
    name="示范县发展和改革委员会",
    category="department",
    style="modern",
    encoding="utf-8",
    site_code="4102210015",
    nominal_domain="fgw.sfx.gov.cn",
    icp="豫ICP备05070218号-3",
    psb="41022102000115",
    org_code="005308517",
    doc_prefix="示发改",
    sections=_MODERN_SECTIONS,
    columns=_MODERN_COLUMNS,
    links=_MODERN_LINKS,
    policies=_MODERN_POLICIES,
    policy_fillers=0,
    guide=GuideSpec(
        date(2025, 6, 10), False, ("申请方式", "办公地址", "办公时间", "联系电话", "传真")
    ),
    report_years=(2019, 2020, 2021, 2022, 2023, 2024, 2025),
    report_publish=(1, 20),
    # Compliant: every closed consultation has its feedback.
    consultations=(
        ConsultationSpec(date(2026, 11, 8), date(2026, 12, 8), "价格监测管理办法"),
        ConsultationSpec(
            date(2026, 8, 3), date(2026, 9, 2), "重点项目管理办法", feedback=date(2026, 9, 20)
        ),
        ConsultationSpec(
            date(2026, 4, 1), date(2026, 5, 1), "节能审查实施细则", feedback=date(2026, 5, 20)
        ),
        ConsultationSpec(
            date(2025, 12, 1), date(2025, 12, 31), "粮食储备管理办法", feedback=date(2026, 1, 15)
        ),
    ),
    sitemap_page=None,
    sitemap_xml=True,
    search_path="/search/",
    self_checks=(
        SelfCheckSpec(
            "tzgg",
            2026,
            1,
            date(2026, 5, 20),
            "示范县发展和改革委员会2026年第一季度政府网站自查整改情况",
        ),
        SelfCheckSpec(
            "tzgg",
            2026,
            2,
            date(2026, 8, 18),
            "示范县发展和改革委员会2026年第二季度政府网站自查整改情况",
        ),
    ),
)

SITES: tuple[SiteSpec, ...] = (COUNTY, DEPT, MODERN)


# ---------------------------------------------------------------------------------------------
# new-media feeds (served by the feeds host)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedSpec:
    unit: str
    name: str
    platform: str
    path: str
    kind: str  # rss | atom | malformed | missing
    newest: int | None = None  # days before AS_OF of the last post
    count: int = 0
    gap: tuple[int, int] = (0, 2)
    links_to: str | None = None  # column key on the unit's site that posts link to


FEEDS: tuple[FeedSpec, ...] = (
    FeedSpec(
        "county",
        "示范县发布",
        "wechat",
        "/feeds/sfxfb.xml",
        "rss",
        newest=1,
        count=10,
        gap=(0, 1),
        links_to="zwyw",
    ),
    FeedSpec(
        "county",
        "示范县政务微博",
        "weibo",
        "/feeds/sfx_weibo.xml",
        "malformed",
        newest=2,
        count=8,
        gap=(0, 2),
    ),
    FeedSpec(
        "dept",
        "示范县教育",
        "wechat",
        "/feeds/sfxjy.atom",
        "atom",
        newest=23,
        count=8,
        gap=(2, 6),
        links_to="1101",
    ),
    # The same name on another platform: a separate account, fresh while the WeChat one is
    # stale (an account is its platform and name).
    FeedSpec(
        "dept",
        "示范县教育",
        "weibo",
        "/feeds/sfxjy_weibo.xml",
        "rss",
        newest=2,
        count=6,
        gap=(1, 3),
        links_to="1101",
    ),
    FeedSpec("dept", "示范县教育抖音", "douyin", "/feeds/sfxjy_douyin.xml", "missing"),
    FeedSpec(
        "modern",
        "示范县发改",
        "wechat",
        "/feeds/sfxfgw.xml",
        "rss",
        newest=1,
        count=6,
        gap=(0, 1),
        links_to="fgyw",
    ),
)


# Static assets each template style references (all served, listed as pages of kind "asset").
STYLE_ASSETS: dict[str, dict[str, str]] = {
    "trs_wcm": {
        "css": "/images/common.css",
        "logo": "/images/logo.png",
        "ga": "/images/ga.png",
        "conac": "/images/red.png",
        "jquery": "/js/jquery.min.js",
        "common": "/js/common.js",
    },
    "hanweb": {
        "css": "/images/style.css",
        "logo": "/images/logo.png",
        "ga": "/images/ga.png",
        "conac": "/images/red.png",
        "jquery": "/module/jslib/jquery/jquery.js",
        "common": "/module/jslib/jquery/jpage/jquery.page.min.js",
    },
    "modern": {
        "css": "/static/site.css",
        "logo": "/static/logo.svg",
        "ga": "/static/ga.png",
        "conac": "/static/red.png",
        "common": "/static/site.js",
    },
}

# Hanweb dataproxy endpoint and the TRS 海云 list API used by the script-filled column.
HANWEB_DATAPROXY = "/module/web/jpage/dataproxy.jsp"
TRS_LIST_API = "/trsapi/search"
# The Hanweb 信件 system's JSON list API (named by the letters column page's script).
HANWEB_LETTERS_API = "/module/hdjl/letters.json"
HANWEB_LETTERS_PER_PAGE = 5
