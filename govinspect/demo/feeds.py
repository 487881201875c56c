"""New-media feeds and the local stand-ins for outside-world assets (both on the feeds host)."""

from __future__ import annotations

import posixpath
from datetime import datetime, time, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape as xml_escape

from govinspect.demo.model import Feed, FeedPost, Town, Urls

CST = timezone(timedelta(hours=8))


def post_datetime(post: FeedPost) -> datetime:
    hour, minute = (int(x) for x in post.time.split(":"))
    return datetime.combine(post.published, time(hour, minute), tzinfo=CST)


def last_modified(feed: Feed) -> datetime | None:
    return max((post_datetime(p) for p in feed.posts), default=None)


def _rss(feed: Feed, urls: Urls, malformed: bool) -> str:
    site_url = urls.base(feed.spec.unit)
    items = []
    for n, post in enumerate(feed.posts):
        link = xml_escape(urls.absolute(post.link))
        title = xml_escape(post.title)
        summary = xml_escape(post.summary)
        if malformed and n % 2 == 0:
            # Typical bridge output: a raw "&" and unescaped markup -> feedparser sets bozo,
            # but its loose parser still yields every entry.
            title = f"{post.title} & 更多"
            summary = f"{post.summary}<br>详情见原文"
        items.append(
            f"<item><title>{title}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid>'
            f"<pubDate>{format_datetime(post_datetime(post))}</pubDate>"
            f"<description>{summary}</description></item>"
        )
    build = last_modified(feed)
    build_date = f"<lastBuildDate>{format_datetime(build)}</lastBuildDate>" if build else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{xml_escape(feed.spec.name)}</title><link>{xml_escape(site_url)}</link>"
        f"<description>{xml_escape(feed.spec.name)}（{feed.spec.platform}）</description>"
        f"{build_date}\n" + "\n".join(items) + "\n</channel></rss>\n"
    )


def _atom(feed: Feed, urls: Urls) -> str:
    entries = []
    for post in feed.posts:
        link = xml_escape(urls.absolute(post.link))
        stamp = post_datetime(post).isoformat()
        entries.append(
            f"<entry><title>{xml_escape(post.title)}</title><id>{link}</id>"
            f'<link href="{link}"/><published>{stamp}</published><updated>{stamp}</updated>'
            f"<summary>{xml_escape(post.summary)}</summary></entry>"
        )
    updated = last_modified(feed)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{xml_escape(feed.spec.name)}</title>"
        f"<id>urn:govinspect-demo:{xml_escape(feed.spec.path)}</id>"
        f'<link href="{xml_escape(urls.base(feed.spec.unit))}"/>'
        f"<updated>{updated.isoformat() if updated else ''}</updated>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def feed_body(feed: Feed, urls: Urls) -> bytes | None:
    """The feed document, or None for a feed that answers 404."""
    kind = feed.spec.kind
    if kind == "missing":
        return None
    text = _atom(feed, urls) if kind == "atom" else _rss(feed, urls, kind == "malformed")
    return text.encode("utf-8")


def feed_content_type(feed: Feed) -> str:
    if feed.spec.kind == "atom":
        return "application/atom+xml; charset=utf-8"
    return "application/rss+xml; charset=utf-8"


def external_paths(town: Town) -> set[str]:
    """Paths of the outside-world stand-ins referenced by any site (query stripped)."""
    return {
        ext.ref.path.partition("?")[0]
        for site in town.sites.values()
        for ext in site.externals.values()
    }


def external_body(path: str) -> tuple[str, bytes]:
    """A harmless local stand-in for an outside URL ``https:/<path>``."""
    if posixpath.splitext(path)[1] == ".js":
        js = (
            "/* local stand-in for https:/" + path + " (govinspect demo) */\n"
            "(function(){var el=document.getElementById('_ideConac')||"
            "document.getElementById('_jiucuo_');if(el){el.setAttribute('data-demo','1');}})();\n"
        )
        return "application/javascript; charset=utf-8", js.encode("utf-8")
    host = path.strip("/").split("/")[0]
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{xml_escape(host)}（演示替身）</title></head><body>"
        f"<p>外部网站 https:/{xml_escape(path)} 的本地演示替身。</p></body></html>"
    )
    return "text/html; charset=utf-8", html.encode("utf-8")
