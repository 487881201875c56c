"""A large static TRS-WCM-style county site for the peer benchmark, written as files on disk.

    .venv/bin/python bench/site_gen.py OUT_DIR [--urls 10000] [--seed bench]

Every tool in the comparison must be able to reach every URL with plain ``<a>``/``<img>`` links,
so list pages carry a static numbered pager next to TRS's ``createPageHTML(...)`` call, and
everything lives on one host (no outside-world links). The planted broken links are all plain
404s (missing images, attachments, articles and columns): no slow or hanging traps, which would
measure waiting rather than work.

Layout (the structures of ``/work/shared/reference/cms-patterns.md``): columns at
``/<section>/<column>/`` with pages ``index_N.html``; articles at
``./YYYYMM/tYYYYMMDD_<docid>.html`` with their image ``./W0….jpg`` and, for every fourth one, an
attachment ``./P0….pdf|doc|xls|docx``; head meta tags, ``当前位置`` breadcrumbs, a ``TRS_Editor``
body and the usual footer identifiers.

The ground truth (``<site dir>.truth.json`` beside the site, paths relative to its root) lists every
page, asset and planted broken target with the pages linking to it, and every column with its
item count and newest date.  The generator is deterministic for a given ``--urls``/``--seed``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import shutil
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2026, 11, 20)
SITE_NAME = "示范县人民政府"
SITE_DOMAIN = "www.sfx.gov.cn"
SITE_CODE = "4102210001"
PAGE_SIZE = 20
HOME_ITEMS_PER_COLUMN = 3
SECTION_ITEMS_PER_COLUMN = 5
RELATED_LINKS = 2
ATTACHMENT_EVERY = 4
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "xls", "docx")
#: One planted broken target per this many URLs (at least MIN_BROKEN).
BROKEN_EVERY = 250
MIN_BROKEN = 8
BROKEN_KINDS = ("image", "attachment", "article", "column")
#: Site-wide files every page links to.
SHARED_ASSETS = (
    "/css/style.css",
    "/js/common.js",
    "/images/logo.png",
    "/images/conac.png",
    "/exposure/jiucuo.js",
)
#: Content pages outside the columns (linked from every footer or header).
SPECIAL_PAGES = {"/wzdt/": "网站地图", "/lxwm/": "联系我们", "/mzsm/": "免责声明"}

# (section path, section name, [(column slug, column name, weight, days between items)])
# The weight is the column's share of the articles; the gap sets how fresh it looks.
SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str, int, float], ...]], ...] = (
    (
        "xwzx",
        "新闻中心",
        (
            ("zwyw", "政务要闻", 8, 0.5),
            ("bmdt", "部门动态", 6, 0.8),
            ("xzdt", "乡镇动态", 6, 0.8),
            ("tpxw", "图片新闻", 3, 2.0),
        ),
    ),
    (
        "zwgk",
        "政务公开",
        (
            ("tzgg", "通知公告", 5, 2.0),
            ("zcwj", "政策文件", 3, 6.0),
            ("zcjd", "政策解读", 2, 8.0),
            ("rsxx", "人事信息", 2, 10.0),
            ("ghjh", "规划计划", 1, 30.0),
            ("czzj", "财政资金", 2, 12.0),
            ("tjxx", "统计信息", 1, 20.0),
        ),
    ),
    (
        "hdjl",
        "互动交流",
        (
            ("zxft", "在线访谈", 1, 20.0),
            ("myzj", "民意征集", 1, 25.0),
        ),
    ),
    (
        "zwfw",
        "政务服务",
        (
            ("bszn", "办事指南", 2, 15.0),
            ("bgxz", "表格下载", 1, 30.0),
        ),
    ),
)

TITLE_WORDS = (
    "示范县召开",
    "全县",
    "关于做好",
    "县政府",
    "专题会议",
    "安全生产",
    "乡村振兴",
    "营商环境",
    "重点项目",
    "民生实事",
    "防汛工作",
    "秋粮收购",
    "招商引资",
    "文明创建",
    "教育质量",
    "医疗保障",
    "生态环境",
    "信访工作",
    "数字政府",
    "工作推进会",
    "督查调研",
    "通知",
    "公示",
)
BODY_SENTENCES = (
    "会议强调，要坚持以人民为中心的发展思想，切实把各项工作抓实抓细抓到位。",
    "各乡镇、各部门要进一步提高政治站位，压紧压实工作责任，确保各项任务按期完成。",
    "县政府有关负责同志出席会议并讲话，对下一阶段重点工作作出具体安排。",
    "要加强统筹协调，强化督导检查，及时发现和解决工作中存在的突出问题。",
    "据了解，今年以来全县各项经济指标稳中有进，群众获得感幸福感持续提升。",
)
TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ATTACHMENT_BODY = {
    "pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "doc": bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504,
    "xls": bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504,
    "docx": b"PK\x05\x06" + b"\0" * 18,
}


@dataclass
class Article:
    docid: int
    title: str
    day: date
    column: str  # column path, e.g. /xwzx/zwyw/
    image: str  # path of the article's image
    attachment: str | None = None
    related: list[str] = field(default_factory=list)  # paths of other articles
    broken: list[tuple[str, str]] = field(default_factory=list)  # (kind, path)

    @property
    def path(self) -> str:
        return f"{self.column}{self.day:%Y%m}/t{self.day:%Y%m%d}_{self.docid}.html"


@dataclass
class Column:
    path: str
    name: str
    section: str
    section_name: str
    articles: list[Article] = field(default_factory=list)

    @property
    def list_pages(self) -> list[str]:
        count = max(1, -(-len(self.articles) // PAGE_SIZE))
        return [self.path] + [f"{self.path}index_{n}.html" for n in range(1, count)]


@dataclass
class Truth:
    """What a correct check of the site finds; every path is relative to the site root."""

    urls_requested: int
    seed: str
    pages: list[str]
    assets: list[str]
    broken: dict[str, list[str]]  # path -> pages linking to it
    columns: list[dict]
    as_of: str = AS_OF.isoformat()

    @property
    def total(self) -> int:
        return len(self.pages) + len(self.assets) + len(self.broken)

    def all_paths(self) -> set[str]:
        return {*self.pages, *self.assets, *self.broken}

    def to_json(self) -> str:
        data = asdict(self)
        data["counts"] = {
            "pages": len(self.pages),
            "assets": len(self.assets),
            "broken": len(self.broken),
            "total": self.total,
        }
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: Path) -> Truth:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("counts", None)
        return cls(**data)


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------
def _columns() -> list[tuple[Column, int, float]]:
    return [
        (Column(f"/{sec}/{slug}/", name, f"/{sec}/", sec_name), weight, gap)
        for sec, sec_name, cols in SECTIONS
        for slug, name, weight, gap in cols
    ]


def _title(rng: random.Random) -> str:
    return "".join(rng.sample(TITLE_WORDS, 4))


def build_model(n_articles: int, seed: str) -> tuple[list[Column], list[str]]:
    """Columns with their articles, and the planted broken paths of the home page."""
    rng = random.Random(f"site:{seed}")
    specs = _columns()
    total_weight = sum(weight for _, weight, _ in specs)
    docid = 500_001
    columns = []
    for column, weight, gap in specs:
        count = max(1, round(n_articles * weight / total_weight))
        for i in range(count):
            # Rarely updated columns also start further back: their newest items differ.
            day = AS_OF - timedelta(days=int(1 + gap / 2 + i * gap))
            stem = f"{column.path}{day:%Y%m}/"
            article = Article(
                docid=docid,
                title=_title(rng),
                day=day,
                column=column.path,
                image=f"{stem}W0{day:%Y%m%d}{docid}.jpg",
            )
            if docid % ATTACHMENT_EVERY == 0:
                ext = ATTACHMENT_EXTENSIONS[
                    (docid // ATTACHMENT_EVERY) % len(ATTACHMENT_EXTENSIONS)
                ]
                article.attachment = f"{stem}P0{day:%Y%m%d}{docid}.{ext}"
            column.articles.append(article)
            docid += 1
        size = len(column.articles)
        for index, article in enumerate(column.articles):
            picks = rng.sample(range(size - 1), min(RELATED_LINKS, size - 1))
            # Skip the article itself: indices at or after it shift by one.
            article.related = [column.articles[i + (i >= index)].path for i in picks]
        columns.append(column)
    home_broken = _plant(columns, rng)
    return columns, home_broken


def _plant(columns: list[Column], rng: random.Random) -> list[str]:
    """Plant 404 targets on articles; returns the home page's own broken link(s)."""
    articles = [a for c in columns for a in c.articles]
    total = len(articles) * 2.3
    wanted = max(MIN_BROKEN, round(total / BROKEN_EVERY))
    home = ["/zt/2019zt/"]  # an old 专题 link on the home page
    for n, article in enumerate(rng.sample(articles, min(wanted - 1, len(articles)))):
        kind = BROKEN_KINDS[n % len(BROKEN_KINDS)]
        stem = f"{article.column}{article.day:%Y%m}/"
        path = {
            "image": f"{stem}W0{article.day:%Y%m%d}{article.docid}_01.jpg",
            "attachment": f"{stem}P0{article.day:%Y%m%d}{article.docid}_01.pdf",
            "article": f"{stem}t{article.day:%Y%m%d}_{article.docid + 900_000}.html",
            "column": f"/zwgk/jgzn_old{n}/",
        }[kind]
        article.broken.append((kind, path))
    return home


def truth_for(columns: list[Column], home_broken: list[str], urls: int, seed: str) -> Truth:
    pages = ["/", *(f"/{sec}/" for sec, _, _ in SECTIONS), *SPECIAL_PAGES]
    assets = list(SHARED_ASSETS)
    broken: dict[str, list[str]] = {path: ["/"] for path in home_broken}
    out_columns = []
    for column in columns:
        pages.extend(column.list_pages)
        for article in column.articles:
            pages.append(article.path)
            assets.append(article.image)
            if article.attachment:
                assets.append(article.attachment)
            for _, path in article.broken:
                broken.setdefault(path, []).append(article.path)
        out_columns.append(
            {
                "path": column.path,
                "name": column.name,
                "items": len(column.articles),
                "list_pages": len(column.list_pages),
                "newest": max(a.day for a in column.articles).isoformat(),
            }
        )
    return Truth(urls, seed, pages, assets, broken, out_columns)


def plan(urls: int, seed: str) -> tuple[list[Column], list[str], Truth]:
    """The smallest model with at least ``urls`` unique URLs."""
    n_articles = max(20, round(urls / 2.3))
    for _ in range(20):  # converges in one or two steps; bounded anyway
        columns, home_broken = build_model(n_articles, seed)
        truth = truth_for(columns, home_broken, urls, seed)
        if truth.total >= urls:
            return columns, home_broken, truth
        n_articles += max(1, round((urls - truth.total) / 2.2))
    raise RuntimeError(f"could not plan a site of {urls} URLs")


# ---------------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------------
def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _head(title: str, meta: dict[str, str]) -> str:
    tags = "\n".join(f'<meta name="{k}" content="{_esc(v)}">' for k, v in meta.items())
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n"
        f'<meta name="SiteName" content="{SITE_NAME}">\n'
        f'<meta name="SiteDomain" content="{SITE_DOMAIN}">\n'
        f'<meta name="SiteIDCode" content="{SITE_CODE}">\n{tags}\n'
        '<link rel="stylesheet" href="/css/style.css">\n'
        '<script src="/js/common.js"></script>\n</head>\n<body>\n'
    )


def _nav() -> str:
    items = "".join(f'<li><a href="/{sec}/">{name}</a></li>' for sec, name, _ in SECTIONS)
    return (
        '<div class="header"><a href="/"><img src="/images/logo.png" alt="'
        f'{SITE_NAME}"></a></div>\n<ul class="nav"><li><a href="/">首页</a></li>{items}</ul>\n'
    )


def _footer() -> str:
    specials = " | ".join(f'<a href="{p}">{n}</a>' for p, n in SPECIAL_PAGES.items())
    return (
        f'<div class="footer"><p>{specials}</p>\n'
        f"<p>主办单位：{SITE_NAME}办公室　网站标识码：{SITE_CODE}　"
        "豫ICP备05070218号　豫公网安备 41022102000101号</p>\n"
        '<span id="_ideConac"><img src="/images/conac.png" alt="党政机关"></span>\n'
        f"<script id=\"_jiucuo_\" sitecode='{SITE_CODE}' src='/exposure/jiucuo.js'></script>\n"
        "</div>\n</body></html>\n"
    )


def _item(href: str, article: Article) -> str:
    title = _esc(article.title)
    link = f'<a href="{href}" title="{title}" target="_blank">{title}</a>'
    return f"<li>{link}<span>{article.day}</span></li>"


def _pager(count: int, current: int) -> str:
    def href(n: int) -> str:
        return "./" if n == 0 else f"index_{n}.html"

    parts = [f'<a href="{href(0)}">首页</a>']
    if current > 0:
        parts.append(f'<a href="{href(current - 1)}">上一页</a>')
    parts.extend(
        f"<span>{n + 1}</span>" if n == current else f'<a href="{href(n)}">{n + 1}</a>'
        for n in range(count)
    )
    if current < count - 1:
        parts.append(f'<a href="{href(current + 1)}">下一页</a>')
    parts.append(f'<a href="{href(count - 1)}">尾页</a>')
    return (
        f'<div class="page"><script>createPageHTML({count}, {current}, "index", "html");</script>'
        f"\n{' '.join(parts)}</div>\n"
    )


def render_list_page(column: Column, number: int) -> str:
    count = len(column.list_pages)
    chunk = column.articles[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
    rel = len(column.path)
    items = "\n".join(_item("./" + a.path[rel:], a) for a in chunk)
    title = f"{column.name}_{SITE_NAME}"
    meta = {"ColumnName": column.name}
    return (
        _head(title, meta)
        + _nav()
        + f'<div class="crumb">当前位置：<a href="../../">首页</a> &gt; '
        f'<a href="../">{column.section_name}</a> &gt; <a href="./">{column.name}</a></div>\n'
        + f'<div class="list"><h2>{column.name}</h2>\n<ul>\n{items}\n</ul>\n'
        + _pager(count, number)
        + "</div>\n"
        + _footer()
    )


def render_article(column: Column, article: Article) -> str:
    rng = random.Random(article.docid)
    paras = "".join(f"<p>{s}</p>" for s in rng.sample(BODY_SENTENCES, 3))
    extra = []
    if article.attachment:
        name = article.attachment.rsplit("/", 1)[1]
        extra.append(
            f'<p>附件：<a href="./{name}">{_esc(article.title)}.{name.rsplit(".")[1]}</a></p>'
        )
    related = [
        f'<li><a href="../{p.rsplit("/", 2)[1]}/{p.rsplit("/", 1)[1]}">相关信息</a></li>'
        for p in article.related
    ]
    for kind, path in article.broken:
        name = path.rsplit("/", 1)[1]
        if kind == "image":
            extra.append(f'<p><img src="./{name}" alt="图片"></p>')
        elif kind == "attachment":
            extra.append(f'<p>附件：<a href="./{name}">附件1.pdf</a></p>')
        elif kind == "article":
            related.append(f'<li><a href="../{path.rsplit("/", 2)[1]}/{name}">相关信息</a></li>')
        else:
            related.append(f'<li><a href="{path}">机构职能</a></li>')
    stamp = f"{article.day} 09:30"
    meta = {
        "ColumnName": column.name,
        "ArticleTitle": article.title,
        "PubDate": stamp,
        "ContentSource": f"{SITE_NAME}办公室",
    }
    image = article.image.rsplit("/", 1)[1]
    return (
        _head(f"{article.title}_{column.name}_{SITE_NAME}", meta)
        + _nav()
        + f'<div class="crumb">当前位置：<a href="../../../">首页</a> &gt; '
        f'<a href="../../">{column.section_name}</a> &gt; <a href="../">{column.name}</a></div>\n'
        + f'<div class="article"><h1>{_esc(article.title)}</h1>\n'
        f'<div class="info">发布时间：{stamp}　来源：{SITE_NAME}办公室</div>\n'
        f'<div class="TRS_Editor">{paras}<p><img src="./{image}" alt="{_esc(article.title)}"></p>'
        f"</div>\n{''.join(extra)}\n"
        f'<div class="related"><h3>相关链接</h3><ul>{"".join(related)}</ul></div>\n'
        f'<script>createPageHTML(1, 0, "t{article.day:%Y%m%d}_{article.docid}", "html");</script>'
        "\n</div>\n" + _footer()
    )


def render_section(section: str, name: str, columns: list[Column]) -> str:
    blocks = []
    for column in columns:
        slug = column.path[len(section) :]
        items = "\n".join(
            _item(f"./{slug}{a.path[len(column.path) :]}", a)
            for a in column.articles[:SECTION_ITEMS_PER_COLUMN]
        )
        blocks.append(
            f'<div class="block"><h3><a href="./{slug}">{column.name}</a>'
            f'<a class="more" href="./{slug}">更多</a></h3><ul>\n{items}\n</ul></div>'
        )
    return (
        _head(f"{name}_{SITE_NAME}", {"ColumnName": name})
        + _nav()
        + '<div class="crumb">当前位置：<a href="../">首页</a> &gt; '
        + f'<a href="./">{name}</a></div>\n'
        + "\n".join(blocks)
        + "\n"
        + _footer()
    )


def render_home(
    columns: list[Column], home_broken: list[str], neighbours: list[str] | None = None
) -> str:
    blocks = []
    for column in columns:
        items = "\n".join(_item(a.path, a) for a in column.articles[:HOME_ITEMS_PER_COLUMN])
        blocks.append(
            f'<div class="block"><h3><a href="{column.path}">{column.name}</a></h3>'
            f"<ul>\n{items}\n</ul></div>"
        )
    specials = "".join(f'<li><a href="{p}">专题专栏</a></li>' for p in home_broken)
    group = "".join(
        f'<li><a href="{url}">站群网站{n}</a></li>' for n, url in enumerate(neighbours or [], 1)
    )
    return (
        _head(SITE_NAME, {"ColumnName": "首页"})
        + _nav()
        + '<div class="banner"><img src="/images/logo.png" alt="banner"></div>\n'
        + "\n".join(blocks)
        + f'\n<ul class="zt">{specials}</ul>\n'
        + (f'<ul class="group">{group}</ul>\n' if group else "")
        + _footer()
    )


def render_special(path: str, name: str, columns: list[Column]) -> str:
    if path == "/wzdt/":
        links = "".join(
            f'<li><a href="{c.path}">{c.section_name} &gt; {c.name}</a></li>' for c in columns
        )
        body = f"<ul>{links}</ul>"
    else:
        body = f"<p>{SITE_NAME}办公室　联系电话：0371-12345678　地址：示范县人民路1号</p>"
    return (
        _head(f"{name}_{SITE_NAME}", {"ColumnName": name})
        + _nav()
        + f'<div class="crumb">当前位置：<a href="../">首页</a> &gt; {name}</div>\n'
        + f'<div class="content"><h2>{name}</h2>{body}</div>\n'
        + _footer()
    )


def _write(root: Path, path: str, data: str | bytes) -> None:
    target = root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target.write_bytes(data)


def _asset_bytes(path: str) -> bytes:
    ext = path.rsplit(".", 1)[-1]
    if ext == "jpg":
        return TINY_JPEG
    if ext == "png":
        return TINY_PNG
    if ext == "css":
        return b"body{font-family:sans-serif}.list li span{float:right}\n"
    if ext == "js":
        return b"function createPageHTML(){}\n"
    return ATTACHMENT_BODY[ext]


def generate(
    root: Path, urls: int = 10_000, seed: str = "bench", neighbours: list[str] | None = None
) -> Truth:
    """Write the site under ``root`` (replacing it) and its truth beside it.

    ``neighbours``: absolute URLs of other sites linked from the home page (a 站群, as in the
    politeness scenario where one unit spans many hosts).
    """
    columns, home_broken, truth = plan(urls, seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    _write(root, "/", render_home(columns, home_broken, neighbours))
    _write(root, "/robots.txt", "User-agent: *\nDisallow: /search/\n")
    for sec, name, _ in SECTIONS:
        mine = [c for c in columns if c.section == f"/{sec}/"]
        _write(root, f"/{sec}/", render_section(f"/{sec}/", name, mine))
    for path, name in SPECIAL_PAGES.items():
        _write(root, path, render_special(path, name, columns))
    for column in columns:
        for number, page in enumerate(column.list_pages):
            _write(root, page, render_list_page(column, number))
        for article in column.articles:
            _write(root, article.path, render_article(column, article))
    for path in truth.assets:
        _write(root, path, _asset_bytes(path))
    truth_path(root).write_text(truth.to_json(), encoding="utf-8")
    # nginx workers run as an unprivileged user: the tree must be world-readable.
    for folder in (root, *(p for p in root.rglob("*") if p.is_dir())):
        folder.chmod(0o755)
    return truth


def truth_path(root: Path) -> Path:
    return root.parent / f"{root.name}.truth.json"


def ensure_site(root: Path, urls: int, seed: str = "bench") -> Truth:
    """Reuse a site already generated with the same parameters, else generate it."""
    existing = truth_path(root)
    if existing.exists() and root.is_dir():
        truth = Truth.load(existing)
        if truth.urls_requested == urls and truth.seed == seed:
            return truth
    return generate(root, urls, seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="site directory (replaced)")
    parser.add_argument("--urls", type=int, default=10_000, help="at least this many URLs")
    parser.add_argument("--seed", default="bench")
    args = parser.parse_args()
    truth = generate(args.out, args.urls, args.seed)
    counts = json.loads(truth.to_json())["counts"]
    print(json.dumps(counts), file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
