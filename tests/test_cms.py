"""CMS list structures: TRS pagination and listModel, Hanweb datastore/dataproxy, jpaas, gkmlpt."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from govinspect.crawler.cms import (
    MAX_IMPLIED_PAGES,
    gkmlpt_info,
    hanweb_dataproxy_requests,
    hanweb_datastore,
    hanweb_datastores,
    jpaas_units,
    trs_list_model,
    trs_pagination,
)
from tests.conftest import corpus_manifest, shared_path

CORPUS = shared_path("corpus/pingtan")  # beside the repository or GOVINSPECT_SHARED
SITE = "http://www.example.gov.cn"


# --- TRS createPageHTML ----------------------------------------------------------------------


def test_classic_create_page_html_is_zero_based() -> None:
    html = '<script>createPageHTML(4, 0, "index", "html");</script>'
    pager = trs_pagination(html, f"{SITE}/xxgk/tzgg/index.html")
    assert pager is not None
    assert pager.form == "classic"
    assert (pager.page_count, pager.current_page, pager.zero_based_suffix) == (4, 1, True)
    assert pager.page_urls == [
        f"{SITE}/xxgk/tzgg/index.html",
        f"{SITE}/xxgk/tzgg/index_1.html",
        f"{SITE}/xxgk/tzgg/index_2.html",
        f"{SITE}/xxgk/tzgg/index_3.html",
    ]


def test_classic_form_on_a_later_page_and_from_a_directory_url() -> None:
    html = "<script>createPageHTML(3,2,'index','shtml')</script>"
    pager = trs_pagination(html, f"{SITE}/col/index_2.shtml")
    assert pager is not None and pager.current_page == 3
    assert pager.page_urls[-1] == f"{SITE}/col/index_2.shtml"
    from_dir = trs_pagination(html, f"{SITE}/col/")
    assert from_dir is not None and from_dir.page_urls[0] == f"{SITE}/col/index.shtml"


def test_six_argument_form_is_one_based_with_record_count() -> None:
    html = "<script>createPageHTML('page_div', 10, 1, 'list_zw_wj', 'shtml', 278);</script>"
    pager = trs_pagination(html, f"{SITE}/zw/list_zw_wj.shtml")
    assert pager is not None
    assert pager.form == "six_arg"
    assert (pager.page_count, pager.current_page, pager.record_count) == (10, 1, 278)
    assert pager.zero_based_suffix is False
    assert len(pager.page_urls) == 10
    assert pager.page_urls[0] == f"{SITE}/zw/list_zw_wj.shtml"
    assert pager.page_urls[1] == f"{SITE}/zw/list_zw_wj_2.shtml"
    assert pager.page_urls[-1] == f"{SITE}/zw/list_zw_wj_10.shtml"


def test_six_argument_numbering_follows_the_page_own_file_name() -> None:
    # Page 2 served as list_1.shtml: this template numbers files from 0 after all.
    html = "<script>createPageHTML('page_div',3,2,'list','shtml',50)</script>"
    pager = trs_pagination(html, f"{SITE}/zw/list_1.shtml")
    assert pager is not None and pager.zero_based_suffix is True
    assert pager.page_urls == [f"{SITE}/zw/list.shtml", f"{SITE}/zw/list_1.shtml",
                               f"{SITE}/zw/list_2.shtml"]  # fmt: skip


def test_article_page_call_yields_only_itself() -> None:
    url = f"{SITE}/xw/201909/t20190918_693227.shtml"
    html = '<script>createPageHTML(1,0,"t20190918_693227","shtml");</script>'
    pager = trs_pagination(html, url)
    assert pager is not None and pager.page_urls == [url]


def test_arguments_given_as_variables_and_definition_skipped() -> None:
    html = """<script>
    function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) { return; }
    var currentPage = 0;//所在页从0开始
    var countPage = 3//共多少页
    createPageHTML(countPage, currentPage, "index", "htm");
    </script>"""
    pager = trs_pagination(html, f"{SITE}/a/index.htm")
    assert pager is not None and pager.form == "classic"
    assert pager.page_urls == [f"{SITE}/a/index.htm", f"{SITE}/a/index_1.htm",
                               f"{SITE}/a/index_2.htm"]  # fmt: skip


def test_count_page_variable_takes_prefix_and_extension_from_the_url() -> None:
    html = """<script>var currentPage = 0;//所在页从0开始
    var prevPage = currentPage-1//上一页
    var countPage = 17//共多少页
    //document.write("<a href=\\"index_" + nextPage + "." + "shtml\\">下一页</a>");
    </script>"""
    pager = trs_pagination(html, f"{SITE}/zwgk/tzgg/index.shtml")
    assert pager is not None and pager.form == "count_var"
    assert pager.page_count == 17 and len(pager.page_urls) == 17
    assert pager.page_urls[16] == f"{SITE}/zwgk/tzgg/index_16.shtml"


def test_unrelated_count_page_variable_is_ignored() -> None:
    assert trs_pagination("<script>var countPage = 12; slide(countPage);</script>", SITE) is None
    assert trs_pagination("<p>no pager</p>", SITE) is None


def test_absurd_page_count_is_capped() -> None:
    html = '<script>createPageHTML(999999999, 0, "index", "html")</script>'
    pager = trs_pagination(html, f"{SITE}/a/")
    assert pager is not None and len(pager.page_urls) == MAX_IMPLIED_PAGES


# --- Hanweb datastore and dataproxy --------------------------------------------------------


def _hanweb_page(nextgroup: str, total: str = "", config: str = "", unit: str = "456") -> str:
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2020/8/{d}/art_123_{d}.html" title="标题{d}">'
        f"标题{d}</a><span>2020-08-{d:02d}</span></li>]]></record>"
        for d in (14, 13, 12)
    )
    return (
        f'<div id="{unit}"><script type="text/xml"><datastore>{total}'
        f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
        f"<recordset>{records}</recordset></datastore></script></div>{config}"
    )


JPAGE_CONFIG = """<script>$(function(){$('#456').jpage({themeName:'default',showMode:'full',
totalRecord:100,openCookies:false,dataBefore:'<ul>',dataStore:dataStore,dataAfter:'</ul>',
groupSize:2,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:15,barPosition:'bottom',
ajaxParam:{col:1,appid:'1',webid:60,path:'/',columnid:30067,sourceContentType:1,unitid:'456',
webname:'某某市人民政府',permissiontype:0}});});</script>"""


def test_datastore_records_totals_and_get_paging() -> None:
    nextgroup = (
        '<a href="/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=5&path=/&columnid=123'
        '&unitid=456&webname=%E6%B5%8B%E8%AF%95&permissiontype=0"></a>'
    )
    total = "<totalrecord>61</totalrecord><totalpage>4</totalpage>"
    url = f"{SITE}/col/col123/index.html"
    ds = hanweb_datastore(_hanweb_page(nextgroup, total), url)
    assert ds is not None
    assert (ds.total_records, ds.total_pages) == (61, 4)
    assert len(ds.records) == 3 and ds.records[0].startswith("<li><a href=")
    assert ds.nextgroup is not None and ds.nextgroup.startswith(f"{SITE}/module/web/jpage/")
    assert (ds.columnid, ds.unitid, ds.webid, ds.appid, ds.path) == ("123", "456", "5", "1", "/")
    assert ds.permissiontype == "0" and ds.webname == "测试"
    assert ds.uses_get_paging
    requests = hanweb_dataproxy_requests(ds, url)
    assert [r.method for r in requests] == ["GET"] * 3
    assert [parse_qs(urlsplit(r.url).query)["page"] for r in requests] == [["2"], ["3"], ["4"]]
    first = requests[0].url
    assert first.startswith(f"{SITE}/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=5")
    assert "columnid=123&unitid=456" in first and requests[0].body is None


def test_datastore_post_paging_from_the_jpage_config() -> None:
    url = f"{SITE}/col/col30067/index.html"
    ds = hanweb_datastore(_hanweb_page("", config=JPAGE_CONFIG), url)
    assert ds is not None and not ds.uses_get_paging
    assert (ds.total_records, ds.per_page, ds.group_size) == (100, 15, 2)
    assert ds.proxy_url == f"{SITE}/module/web/jpage/dataproxy.jsp"
    assert ds.webname == "某某市人民政府" and ds.columnid == "30067"
    requests = hanweb_dataproxy_requests(ds, url)
    ranges = [parse_qs(urlsplit(r.url).query) for r in requests]
    # 3 records are inline; groups of perPage*groupSize = 30 records cover 4..100.
    assert [(q["startrecord"], q["endrecord"]) for q in ranges] == [
        (["4"], ["33"]), (["34"], ["63"]), (["64"], ["93"]), (["94"], ["100"]),
    ]  # fmt: skip
    assert all(q["perpage"] == ["15"] for q in ranges)
    assert all(r.method == "POST" for r in requests)
    assert requests[0].body == {
        "col": "1", "appid": "1", "webid": "60", "path": "/", "columnid": "30067",
        "sourceContentType": "1", "unitid": "456", "webname": "某某市人民政府",
        "permissiontype": "0",
    }  # fmt: skip


def test_post_paging_without_a_total_asks_for_the_next_group_only() -> None:
    config = "<script>$('#9').jpage({perPage:20,ajaxParam:{columnid:77,unitid:9,webid:3}})</script>"
    ds = hanweb_datastore(_hanweb_page("", config=config, unit="9"), f"{SITE}/col/col77/")
    assert ds is not None and ds.total_records is None
    requests = hanweb_dataproxy_requests(ds, f"{SITE}/col/col77/")
    assert len(requests) == 1
    assert requests[0].url.endswith("?startrecord=4&endrecord=63&perpage=20")
    assert requests[0].body is not None and requests[0].body["path"] == "/"


def test_datastore_without_column_id_has_no_requests() -> None:
    ds = hanweb_datastore(_hanweb_page(""), f"{SITE}/x/")
    assert ds is not None and hanweb_dataproxy_requests(ds, f"{SITE}/x/") == []


def test_several_units_each_with_its_own_config() -> None:
    second = JPAGE_CONFIG.replace("456", "789").replace("30067", "30068")
    html = _hanweb_page("", config=JPAGE_CONFIG) + _hanweb_page("", config=second, unit="789")
    stores = hanweb_datastores(html, f"{SITE}/")
    assert [(s.unitid, s.columnid) for s in stores] == [("456", "30067"), ("789", "30068")]


def test_older_jpage_with_a_javascript_array_store() -> None:
    html = """<div id="49468"></div><script language="javascript">var InitData49468 = [
      '<a href="/art/2014/5/20/art_30067_1.html" title="招标公告">招标公告</a>[2014-05-20]',
      // 注释
      '<a href=\\'/art/2014/5/19/art_30067_2.html\\'>采购 [NTZC]</a>[2014-05-19]' /* x */];
      $(function(){$('#49468').jpage({totalRecord:1418,dataStore:InitData49468,groupSize:3,
      proxyUrl:'/module/jslib/jquery/jpage/dataproxy.jsp',perPage:25,
      ajaxParam:{col:1,appid:'1',webid:60,path:'/',columnid:30067,unitid:'49468',
      webname:'某某网',permissiontype:0}});});</script>"""
    url = f"{SITE}/col/col30067/index.html"
    ds = hanweb_datastore(html, url)
    assert ds is not None
    assert ds.records[1] == "<a href='/art/2014/5/19/art_30067_2.html'>采购 [NTZC]</a>[2014-05-19]"
    assert (ds.total_records, ds.per_page, ds.columnid, ds.unitid) == (1418, 25, "30067", "49468")
    requests = hanweb_dataproxy_requests(ds, url)
    assert requests[0].url == (
        f"{SITE}/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=3&endrecord=77&perpage=25"
    )
    assert requests[-1].url.endswith("endrecord=1418&perpage=25")
    assert hanweb_datastores("<script>$('#1').jpage({dataStore:missing})</script>", SITE) == []


def test_records_written_as_escaped_text() -> None:
    html = (
        "<script type='text/xml'><datastore><recordset><record>&lt;a href=&quot;/a.html&quot;"
        "&gt;A&lt;/a&gt;</record></recordset></datastore></script>"
    )
    ds = hanweb_datastore(html, f"{SITE}/")
    assert ds is not None and ds.records == ['<a href="/a.html">A</a>']
    assert hanweb_datastore("<p>plain</p>", SITE) is None


# --- TRS 海云 listModel ---------------------------------------------------------------------


def test_list_model_inline_literals() -> None:
    html = """<script>listModel({ quickMode: "动静结合", maxStaticIndex: 1,
        listArgs: {channelid: 200210, classsql: "" || "chnlid=1813"},
        listApi: {url: "/fjdzapp/search"}, // API
        pagebar: { prepage: 10, recordCount: '20', pgTemp: "pgBar_xxgk.html" },
        callToPage: function(p) { $("html,body").animate({scrollTop: 0}, 800); }
    });</script>"""
    model = trs_list_model(html, f"{SITE}/zwgk/a/")
    assert model is not None
    assert (model.quick_mode, model.max_static_index) == ("动静结合", 1)
    assert (model.record_count, model.per_page, model.page_count) == (20, 10, 2)
    assert model.api_url == f"{SITE}/fjdzapp/search"
    assert model.list_args == {"channelid": 200210, "classsql": "chnlid=1813"}
    assert not model.script_filled


def test_list_model_resolves_references_to_page_objects() -> None:
    html = """<script>var SiteInfo = { searchId: 200210, // 检索频道
        logoutUrl: "https://x.gov.cn/uc/logout?u=", list: ["a", "b"] };
    var pageChnlInfo={ quickMode:"动态", classsql: "" || "chnlid=426", recordCount:'9546' }
    </script><script>listModel({ quickMode: pageChnlInfo.quickMode,
        listArgs: { channelid: SiteInfo.searchId, classsql: pageChnlInfo.classsql },
        pagebar: { recordCount: pageChnlInfo.recordCount, prepage: pageChnlInfo.prepage||15 } })
    </script>"""
    model = trs_list_model(html)
    assert model is not None and model.script_filled
    assert model.record_count == 9546 and model.per_page == 15
    assert model.list_args == {"channelid": 200210, "classsql": "chnlid=426"}
    loader_only = "<script>require(['list2.trsapi'], function(listModel){})</script>"
    assert trs_list_model(loader_only) is None


def _manifest_list_pages() -> list[dict]:
    return [entry for entry in corpus_manifest(CORPUS) if entry["kind"] == "list"]


@pytest.mark.parametrize("entry", _manifest_list_pages(), ids=lambda e: e["path"])
def test_list_model_of_every_pingtan_list_page(entry: dict) -> None:
    html = (CORPUS / entry["path"]).read_text(encoding="utf-8")
    expected = entry["list_items"]
    model = trs_list_model(html, entry["original_url"])
    if expected.get("quick_mode") is None:
        assert model is None  # the guide page shows its content inline, no script list
        return
    assert model is not None
    assert model.quick_mode == expected["quick_mode"]
    assert model.record_count == expected.get("record_count_total")
    assert model.max_static_index == expected.get("max_static_index")
    assert model.script_filled == (expected["count"] == 0)


# --- jpaas and gkmlpt ----------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["buildstatic", "bulidstatic"])
def test_jpaas_unit_detection(spelling: str) -> None:
    html = (
        f'<div><script parseType="{spelling}" id="list" '
        'url="/api-gateway/jpaas-publish-server/front/page/build/unit" '
        "querydata=\"{'webId':'86ca','pageId':'f317','tplSetId':'fc25','pageType':'column',"
        "'tagId':'栏目-list','editType':'null'}\" type=\"text/javascript\"></script></div>"
    )
    units = jpaas_units(html, f"{SITE}/xinwen/index.html")
    assert len(units) == 1
    unit = units[0]
    assert unit.api_url == f"{SITE}/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert unit.query["webId"] == "86ca" and unit.query["tagId"] == "栏目-list"
    query = parse_qs(urlsplit(unit.page_url(3, 20)).query)
    assert json.loads(query["paramJson"][0]) == {"pageNo": 3, "pageSize": 20}
    assert query["pageId"] == ["f317"]
    assert jpaas_units("<script src='/a.js'></script>", SITE) == []


def test_gkmlpt_detection() -> None:
    html = """<script>window._CONFIG = { SID: '755031', SITE_NAME: '某局' };</script>
    <a href="/sub/gkmlpt/index#2811">规范性文件</a><a href="/sub/gkmlpt/index#2812">其他</a>"""
    info = gkmlpt_info(html, f"{SITE}/sub/gkmlpt/index#2811")
    assert info is not None
    assert info.base_url == f"{SITE}/sub/gkmlpt/" and info.sid == "755031"
    assert info.columns == ["2811", "2812"]
    assert info.api_url("2811", 2) == f"{SITE}/sub/gkmlpt/api/all/2811?page=2&sid=755031"
    assert gkmlpt_info(html, f"{SITE}/zwgk/index.html") is None
