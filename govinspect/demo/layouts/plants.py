"""Planted facts: what every family site contains, whatever its layout, with the ground truth.

Each planter is a function ``plant_x(site)`` that adds sections, columns, items, links or
resources to the :class:`Site` and records what a correct inspection must find under
``site.truth``.  ``PLANTERS`` runs them in order; a new kind of planted fact is one more
function appended there (and its assertions in ``tests/test_layouts.py``).

Dates are offsets from ``site.as_of``; titles and bodies come from ``site.rng``, so one
(family, seed, as-of) always gives the same site.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from govinspect.demo import safety_cases
from govinspect.demo.layouts.model import Column, Item, Link, Resource, Section, Site
from govinspect.demo.texts import ANNUAL_REPORT_SECTIONS, TOPICS, paragraphs, pick, title_for

TOWN = "示范县"
ORG = "示范县人民政府办公室"

#: Sentences of policy documents and of interpretations: disjoint, so that only the planted
#: copy reads like its document.
DOC_SENTENCES = (
    "各乡镇人民政府，县人民政府各部门：现将《{name}》印发给你们，请结合实际，认真贯彻执行。",
    "第一条　为进一步做好{topic}工作，根据有关法律法规和上级文件精神，结合本县实际，制定本方案。",
    "第二条　本方案适用于本县行政区域内{topic}相关工作的组织实施和监督管理。",
    "第三条　各责任单位应当建立工作台账，明确时间节点，于每季度末报送工作进展情况。",
    "第四条　县财政每年安排专项资金{n}万元，用于保障{topic}重点任务实施。",
    "第五条　对工作推进不力、造成不良影响的单位，依照有关规定严肃追究责任。",
    "第六条　本方案自印发之日起施行，有效期{m}年。",
)
INTERP_SENTENCES = (
    "一、起草背景。近年来，我县{topic}工作取得积极进展，但仍存在基础薄弱、机制不健全等短板。",
    "二、主要内容。方案共分为总体要求、重点任务、保障措施三个部分，明确了{n}项具体举措。",
    "三、适用对象。方案主要面向全县相关单位和广大群众，群众可通过政务服务大厅咨询办理。",
    "四、创新举措。方案首次提出建立联席会议制度，推动部门间信息共享和协同联动。",
    "五、实施时间。方案自印发之日起实施，县直有关部门将适时开展督导评估并向社会公布结果。",
)
GUIDE_TEXT = (
    "为了更好地开展政府信息公开工作，根据《中华人民共和国政府信息公开条例》"
    "（国务院令第711号）规定，编制本指南。",
    "一、主动公开。主动公开的政府信息通过本网站、政府公报、新闻发布会等形式公开。",
    "二、依申请公开。申请方式：申请人可以通过互联网在线申请、信函申请或当面提交书面申请。",
    "受理机构：示范县人民政府办公室，办公地址：示范县人民路1号，邮政编码：475000。",
    "办公时间：周一至周五上午8:30-12:00，下午14:30-17:30（法定节假日除外）。",
    "联系电话：0371-12345678，传真：0371-12345679，电子邮箱：sfxzfxxgk@example.gov.cn。",
    "三、监督方式。公民、法人或者其他组织认为行政机关侵犯其合法权益的，可以依法申请行政复议。",
)


def _days_ago(site: Site, days: int) -> date:
    return site.as_of - timedelta(days=days)


def _series(site: Site, count: int, newest: int, gap: tuple[int, int]) -> list[date]:
    """``count`` dates, newest first, the newest ``newest`` days before as-of."""
    out, back = [], newest
    for _ in range(count):
        out.append(_days_ago(site, back))
        back += site.rng.randint(*gap)
    return out


def _fill(site: Site, col: Column, kind: str, dates: list[date]) -> None:
    for n, d in enumerate(dates):
        title = title_for(kind, site.rng)
        topic = next((t for t in TOPICS if t in title), "重点")
        col.items.append(
            Item(
                key=f"{col.key}{n}",
                title=title,
                date=d,
                column=col.key,
                uid=site.uid(),
                body=paragraphs(site.rng, topic, site.rng.randint(2, 4)),
                source=pick(site.rng, ("示范县融媒体中心", "县政府办公室", "县委宣传部")),
            )
        )


# --- the planters --------------------------------------------------------------------------------


def plant_columns(site: Site) -> None:
    """Sections, the ordinary columns (two paginated, one stale, one blank) and plain pages."""
    site.sections += [
        Section("news", "新闻中心", "xwzx", 10),
        Section("open", "政务公开", "zwgk", 20),
    ]
    news = Column("news", "工作动态", "news", "news", "gzdt", 1101, page_size=8)
    news.api = site.family.pager == "json_api"
    _fill(site, news, "news", _series(site, 19, site.rng.randint(0, 2), (1, 4)))
    # A decoy for dead-link checkers: an article that merely mentions 404.
    news.items[3].title = "我县完成404户农村危房改造任务"
    notice = Column("notice", "通知公告", "notice", "news", "tzgg", 1102, page_size=6)
    _fill(site, notice, "notice", _series(site, 10, site.rng.randint(3, 8), (5, 12)))
    stale = Column("dept", "部门动态", "news", "news", "bmdt", 1103)
    _fill(site, stale, "news", _series(site, 5, site.rng.randint(30, 60), (3, 9)))
    blank = Column("personnel", "人事信息", "personnel", "open", "rsxx", 1201)
    blank.placeholder = pick(site.rng, ("暂无信息", "暂无数据", None))
    site.columns += [news, notice, stale, blank]
    site.simple["lxwm"] = ("联系我们", f"{site.name}办公室，地址：示范县人民路1号。")
    site.simple["xxgkzd"] = ("政府信息公开制度", "主动公开、依申请公开等工作制度汇编。")
    site.simple["fdzdgknr"] = ("法定主动公开内容", "机构职能、规范性文件、规划计划等。")
    site.truth["blank"] = ["personnel"]
    site.truth["stale"] = ["dept"]


def _document(site: Site, col: Column, key: str, days: int, topic: str, title: str) -> Item:
    d = _days_ago(site, days)
    number = f"示政办〔{d.year}〕{site.rng.randint(2, 60)}号"
    name = f"{TOWN}{topic}实施方案"
    body = tuple(
        "".join(
            s.format(name=name, topic=topic, n=site.rng.randint(50, 900), m=site.rng.randint(2, 5))
            for s in DOC_SENTENCES[i : i + 3]
        )
        for i in (0, 3)
    ) + (f"{ORG}　{d.year}年{d.month}月{d.day}日",)
    item = Item(key, title, d, col.key, site.uid(), body, "document", number, d, ORG)
    col.items.append(item)
    return item


def _interpretation(site: Site, col: Column, doc: Item, name: str, copied: bool) -> Item:
    d = doc.date + timedelta(days=1)
    graphic = site.family.interp_links == "图解"
    title = f"一图读懂《{name}》" if graphic else f"《{name}》政策解读"
    if copied:
        # 照抄照搬: the document's own text under an interpretation's title.
        body = (f"近日，{ORG}印发《{name}》。全文如下：", *doc.body[:2])
    else:
        topic = next((t for t in TOPICS if t in name), "重点")
        sentences = [s.format(topic=topic, n=site.rng.randint(5, 30)) for s in INTERP_SENTENCES]
        body = (
            f"近日，{ORG}印发了《{name}》（{doc.doc_number}）。现就有关内容解读如下：",
            "".join(sentences[:3]),
            "".join(sentences[3:]),
        )
    item = Item(f"{doc.key}_jd", title, d, col.key, site.uid(), body, "interpretation")
    item.source = ORG
    col.items.append(item)
    return item


#: interp_links option -> (label of a document's link to its interpretation, label of the
#: interpretation's link back to the document).  None: the pages do not link each other.
INTERP_LABELS: dict[str, tuple[str, str] | None] = {
    "相关文件": ("相关解读：", "相关文件："),
    "原文链接": ("政策解读：", "原文链接："),
    "相关政策文件": ("解读：", "相关政策文件："),
    "政策原文": ("相关解读", "政策原文："),
    "相关解读": ("相关解读：", "关联文件："),
    "图解": ("图解：", "原文："),
    "sidebar": ("相关解读", "相关文件"),
    "attachment": ("附件：", "附件："),
    "none": None,
}


def _link_pair(site: Site, doc: Item, interp: Item, backlink: bool) -> None:
    option = site.family.interp_links
    labels = INTERP_LABELS[option]
    if labels is None:
        return
    block = {"sidebar": "sidebar", "attachment": "attach"}.get(option, "body")
    doc.links.append(Link(f"@{interp.key}", interp.title, label=labels[0], block=block))
    if backlink:
        interp.links.append(Link(f"@{doc.key}", doc.title, label=labels[1], block=block))


def plant_policies(site: Site) -> None:
    """政策文件 and 政策解读: a two-way pair, a pair without back-link, a document without
    interpretation, a copied interpretation, an old and a forwarded document (not judged), and
    with attachment links a document whose interpretation is a PDF file."""
    docs = Column("policy", "政策文件", "policy", "open", "zcwj", 1202, page_size=20)
    interps = Column("interp", "政策解读", "interpretation", "open", "zcjd", 1203, page_size=20)
    site.columns += [docs, interps]
    topics = site.rng.sample(TOPICS, 8)

    def title(topic: str) -> str:
        return f"{ORG}关于印发《{TOWN}{topic}实施方案》的通知"

    plan = [("A", 25, True, False), ("B", 60, False, False), ("D", 140, True, True)]
    truth = {
        "documents_without_interpretation": [],
        "interpretations_without_backlink": [],
        "documents_without_link": [],
        "copied_interpretations": [],
    }
    made: dict[str, Item] = {}
    for (key, days, backlink, copied), topic in zip(plan, topics, strict=False):
        doc = _document(site, docs, f"doc{key}", days, topic, title(topic))
        interp = _interpretation(site, interps, doc, f"{TOWN}{topic}实施方案", copied)
        _link_pair(site, doc, interp, backlink)
        made[key] = doc
        if INTERP_LABELS[site.family.interp_links] is None:
            truth["documents_without_link"].append(doc.key)
        elif not backlink:
            truth["interpretations_without_backlink"].append(interp.key)
        if copied:
            truth["copied_interpretations"].append(interp.key)
    lone = _document(site, docs, "docC", 100, topics[3], title(topics[3]))
    truth["documents_without_interpretation"].append(lone.key)
    _document(site, docs, "docE", 560, topics[4], title(topics[4]))  # beyond the lookback
    forwarded = f"{ORG}转发市人民政府关于{topics[5]}工作的通知"
    _document(site, docs, "docF", 170, topics[5], forwarded)
    if site.family.interp_links == "attachment":
        # The interpretation exists only as a PDF linked from the document.
        doc = _document(site, docs, "docG", 75, topics[6], title(topics[6]))
        path = f"/upload/{doc.date:%Y%m}/P0{doc.date:%Y%m%d}{doc.uid}_jd.pdf"
        site.resources[path] = Resource("attachment")
        doc.links.append(
            Link(path, f"《{TOWN}{topics[6]}实施方案》政策解读.pdf", label="附件：", block="attach")
        )
    docs.items.sort(key=lambda i: i.date, reverse=True)
    interps.items.sort(key=lambda i: i.date, reverse=True)
    site.truth["interpretation"] = truth


def plant_disclosure(site: Site) -> None:
    """The 政府信息公开指南 shown inline (a content column) and the annual reports column."""
    guide = Column("guide", "政府信息公开指南", "disclosure_guide", "open", "xxgkzn", 1204)
    guide.content = Item(
        "guide",
        f"{site.name}政府信息公开指南",
        _days_ago(site, 300),
        "guide",
        site.uid(),
        GUIDE_TEXT,
        "guide",
        source=ORG,
    )
    reports = Column("reports", "政府信息公开年报", "annual_report", "open", "xxgknb", 1205)
    last = site.as_of.year - 1 if site.as_of >= date(site.as_of.year, 2, 1) else site.as_of.year - 2
    years = list(range(last, last - 5, -1))
    for year in years:
        published = date(year + 1, 1, site.rng.randint(10, 28))
        reports.items.append(
            Item(
                f"report{year}",
                f"{site.name}{year}年政府信息公开工作年度报告",
                published,
                "reports",
                site.uid(),
                (
                    f"本报告根据《中华人民共和国政府信息公开条例》要求编制，报告期为{year}年。",
                    *ANNUAL_REPORT_SECTIONS,
                ),
                "report",
                source=ORG,
            )
        )
    site.columns += [guide, reports]
    site.truth["annual_report_years"] = sorted(years)


def plant_links(site: Site) -> None:
    """Dead links of every kind a checker must report, and decoys it must not."""
    news, notice = site.column("news"), site.column("notice")
    docs = site.column("policy")
    doc_a = next(i for i in docs.items if i.key == "docA")
    dead = {
        "/zt/2019/index_old.html": ["home", news.items[1].key],
        "/images/banner_2019.jpg": ["home"],
        "/upload/2019/P020190105_missing.pdf": [doc_a.key],
        "/zt/2020/": ["home"],  # soft 404: 200 with "页面不存在"
        "http://www.sfx-old.invalid/": ["home"],
        site.refused + "old/index.html": [news.items[2].key],
    }
    site.resources["/zt/2020/"] = Resource("soft404")
    texts = {
        "/zt/2019/index_old.html": "2019年专题回顾",
        "/images/banner_2019.jpg": "专题横幅",
        "/upload/2019/P020190105_missing.pdf": "实施细则.pdf",
        "/zt/2020/": "2020年专题",
        "http://www.sfx-old.invalid/": "示范县原政府网站",
    }
    for target, places in dead.items():
        for where in places:
            element = "img" if target.endswith(".jpg") else "a"
            block = "attach" if target.endswith(".pdf") else "body"
            site.place(where, Link(target, texts.get(target, "旧版页面"), element, block=block))
    decoys = {
        "/upload/P0202611_bszn.xls": ("head405", "home", "办事指南下载"),
        "/upload/P0202611_tiny.doc": ("tiny", notice.items[0].key, "报名表.doc"),
        "/go/zwgk": ("redirect", "home", "政务公开（旧版入口）"),
        "/附件/办事指南.pdf": ("attachment", "home", "办事指南.pdf"),
    }
    for target, (kind, where, text) in decoys.items():
        location = site.section("open").path if kind == "redirect" else ""
        site.resources[target] = Resource(kind, location)
        site.place(where, Link(target, text, block="attach" if "." in target[-5:] else "body"))
    # The same attachment written percent-encoded on another page.
    site.place("lxwm", Link("/%E9%99%84%E4%BB%B6/%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97.pdf", "指南"))
    for literal in ("javascript:void(0);", "mailto:sfxzf@example.gov.cn", "tel:0371-12345678"):
        site.place("home", Link(literal, "联系", block="footer"))
    site.place("home", Link("#top", "返回顶部", block="footer"))
    site.place("home", Link("el.url", "", element="template"))
    # Link forms of issue 15 (tests/test_link_forms.py has them all): bare relative attachment
    # names (WPS, OFD), a CSS background image, an invalid href (dead: nobody can follow it)
    # and a fragment naming no anchor of a page crawled anyway (listed apart, never dead).
    site.resources["/通知.wps"] = Resource("attachment")
    site.place("home", Link("/通知.wps", "通知.wps", element="bare"))
    site.place("home", Link("/P020190105_gone.ofd", "公文.ofd", element="bare"))
    site.place("home", Link("/images/gone-bg.png", "", element="style"))
    site.place("home", Link("http://localhost]/zwgk/", "政务公开（错误链接）"))
    anchor = f"@{notice.items[1].key}#fjxz"
    site.place(notice.items[0].key, Link(anchor, "附件下载（见上一通知）"))
    site.truth["dead_links"] = [*dead, "/P020190105_gone.ofd", "/images/gone-bg.png"]
    site.truth["invalid_links"] = ["http://localhost]/zwgk/"]  # stored as written
    site.truth["missing_anchors"] = [anchor]
    site.truth["not_checked"] = ["mailto:sfxzf@example.gov.cn", "tel:0371-12345678"]
    site.truth["not_dead"] = [*decoys, "/通知.wps", news.items[3].key]


#: Inline styles that hide a block (issue 18): each family site draws one.
HIDING_STYLES = (
    "position:absolute;left:-9999px;top:-9999px",
    "display:none",
    "visibility:hidden",
    "width:0;height:0;overflow:hidden",
    "opacity:0",
    "text-indent:-9999px",
    "font-size:0",
)


def plant_safety(site: Site) -> None:
    """Content safety (docs/content-safety.md): a hidden gambling link on the homepage (hidden
    the family's way), a 公示 spreadsheet with valid unmasked 身份证号 of fictitious people and
    an unmasked mobile in a notice; decoys: a hidden internal menu, masked numbers, a 索引号
    failing its check digit, landlines."""
    notice = site.column("notice")
    style = site.rng.choice(HIDING_STYLES)
    casino = "http://www.yulecheng-demo.invalid/"  # never resolves: also a dead link
    site.place("home", Link(casino, "澳门娱乐城", label=style, block="hidden"))
    site.place("home", Link("/", "首页", label="display:none", block="hidden"))  # mobile menu
    sheet = "/upload/gs/P0_bzmd.xlsx"
    site.resources[sheet] = Resource(safety_cases.ATTACHMENTS[safety_cases.XLSX_PATH])
    site.place(notice.items[1].key, Link(sheet, "补贴发放名单公示.xlsx", block="attach"))
    leak = notice.items[2]
    leak.body = (*leak.body, f"联系人：王老师，手机：{safety_cases.PAGE_MOBILE}。")
    decoy = notice.items[0]
    decoy.body = (
        *decoy.body,
        f"索引号：{safety_cases.FAKE_INDEX}；咨询电话：0371-26012345；"
        f"经办人手机：138****1234；身份证号：{safety_cases.MASKED_ID}。",
    )
    site.truth["dead_links"].append(casino)
    site.truth["content_safety"] = {
        "hidden_links": [casino],
        "privacy": [
            (sheet, "id_card", len(safety_cases.PEOPLE), True),
            (f"@{leak.key}", "mobile", 1, False),
        ],
    }


#: Label vocabularies of letter pages (rotated over the families) and the status words.
LETTER_LABELS = (
    ("来信时间", "处理状态", "答复单位", "答复时间", "答复内容"),
    ("留言时间", "办理状态", "回复单位", "回复时间", "回复内容"),
    ("提问时间", "状态", "办理单位", "办结时间", "办理结果"),
)
#: How a consultation page writes its period (rotated over the families).
PERIOD_FORMS = (
    "征集时间：{a}至{b}。",
    "公开征求意见，自{a}起至{b}止。",
    "征集期限：{a}—{b}。",
    "起止时间：{a} ~ {b}",
)
REPLY = "您好，您反映的问题已转交相关部门办理，现已处理完毕。感谢您的关心和支持。"


def _variant(site: Site, options: tuple) -> object:
    from govinspect.demo.layouts.choices import FAMILIES

    index = [f.name for f in FAMILIES].index(site.family.name) if site.family in FAMILIES else 0
    return options[index % len(options)]


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _letter(site: Site, col: Column, n: int, asked: int, replied: int | None) -> Item:
    """A letter asked ``asked`` days before as-of, replied ``replied`` days before (or never).

    Families with card lists show a status instead of the reply date (已办结 / 办理中)."""
    labels = _variant(site, LETTER_LABELS)
    asked_on = _days_ago(site, asked)
    replied_on = _days_ago(site, replied) if replied is not None else None
    status_only = site.family.markup == "cards"
    fields = [(labels[0], asked_on.isoformat()), (labels[1], "已办结" if replied_on else "办理中")]
    if replied_on is not None:
        fields.append((labels[2], ORG))
        if not status_only:
            fields.append((labels[3], replied_on.isoformat()))
        fields.append((labels[4], REPLY))
    item = Item(
        f"letter{n}",
        title_for("letter", site.rng),
        asked_on,
        col.key,
        site.uid(),
        ("来信内容：希望有关部门尽快研究解决。",),
        "letter",
        source=ORG,
    )
    item.fields = tuple(fields)
    return item


def plant_interaction(site: Site) -> None:
    """互动交流: a letters column (answered in time, late, never; statuses instead of reply dates
    in the card families), 意见征集 (a proper one, 10 days, no dates, no feedback) with their
    采纳情况 pages, and 在线访谈 (two interviews in the year, one before it)."""
    site.sections.append(Section("hdjl", "互动交流", "hdjl", 30))
    letters = Column("letters", "县长信箱", "interaction", "hdjl", "xzxx", 1301)
    plan = [(6, 4), (45, 40), (15, None), (130, None), (200, 90)]  # asked, replied (days ago)
    letters.items = [_letter(site, letters, n, a, r) for n, (a, r) in enumerate(plan)]
    letters.items.sort(key=lambda i: i.date, reverse=True)
    status_only = site.family.markup == "cards"
    late = [(a, r) for a, r in plan if (r is None and a > 92) or (r is not None and a - r > 92)]
    if status_only:
        late = [(a, r) for a, r in late if r is None]  # a late reply without its date is unseen
    site.truth["letters"] = {
        "unanswered": [f"letter{plan.index(x)}" for x in sorted(late, reverse=True)],
        "newest_reply": None if status_only else _days_ago(site, 4).isoformat(),
        "missing_fields": [f"letter{n}" for n, (_, r) in enumerate(plan) if r and status_only],
    }
    consult = Column("consult", "意见征集", "consultation", "hdjl", "yjzj", 1302)
    form = _variant(site, PERIOD_FORMS)
    cn_dates = site.family.date_format in ("cn", "md")
    topics = site.rng.sample(TOPICS, 4)
    truth = []
    cases = [("proper", 100, 30, 60), ("short", 50, 10, 35), ("undated", 20, 30, None)]
    cases.append(("late", 150, 30, None))
    for (key, start, days, feedback), topic in zip(cases, topics, strict=True):
        began, ended = _days_ago(site, start), _days_ago(site, start - days)
        a, b = (_cn(began), _cn(ended)) if cn_dates else (began.isoformat(), ended.isoformat())
        period = "欢迎社会各界提出宝贵意见。" if key == "undated" else form.format(a=a, b=b)
        name = f"{TOWN}{topic}管理办法"
        item = Item(
            f"consult_{key}",
            f"关于公开征求《{name}（征求意见稿）》意见的公告",
            began,
            consult.key,
            site.uid(),
            (f"为广泛听取社会各界意见，现将草案全文公布。{period}", "意见可通过电子邮件提交。"),
            "consultation",
            source=ORG,
        )
        consult.items.append(item)
        problems = {"short": ["too_short"], "undated": ["no_dates"], "late": ["no_feedback"]}
        row = {
            "key": item.key,
            "start": None if key == "undated" else began.isoformat(),
            "end": None if key == "undated" else ended.isoformat(),
            "days": None if key == "undated" else days,
            "feedback": None,
            "problems": problems.get(key, []),
        }
        if feedback is not None:
            fb = Item(
                f"feedback_{key}",
                f"《{name}》征求意见采纳情况",
                _days_ago(site, feedback),
                consult.key,
                site.uid(),
                ("征求意见期间共收到意见建议5条，采纳2条。",),
                source=ORG,
            )
            consult.items.append(fb)
            item.links.append(Link(f"@{fb.key}", fb.title, label="意见采纳情况："))
            row["feedback"] = fb.key
        truth.append(row)
    consult.items.sort(key=lambda i: i.date, reverse=True)
    site.truth["consultations"] = truth
    talks = Column("talks", "在线访谈", "interaction", "hdjl", "zxft", 1303)
    for n, days in enumerate((30, 200, 400)):
        talks.items.append(
            Item(
                f"talk{n}",
                f"在线访谈：县{topics[n]}工作负责人答网友问",
                _days_ago(site, days),
                talks.key,
                site.uid(),
                ("本期访谈邀请有关负责人介绍工作情况，并回答网友提问。",),
                source=ORG,
            )
        )
    site.truth["interviews"] = {"count_365d": 2, "newest": _days_ago(site, 30).isoformat()}
    site.columns += [letters, consult, talks]


#: The planters, in order (later ones may refer to what earlier ones planted).
PLANTERS: tuple[Callable[[Site], None], ...] = (
    plant_columns,
    plant_policies,
    plant_disclosure,
    plant_links,
    plant_safety,
    plant_interaction,
)
