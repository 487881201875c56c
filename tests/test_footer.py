from govinspect.crawler.footer import footer_ids

FOOTER = """<div class="footer">主办：示范县人民政府办公室 网站标识码：4102210001
<a href="https://beian.miit.gov.cn">豫ICP备05070218号-1</a>
<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=41022102000123">
豫公网安备 41022102000123号</a>
<span id="_ideConac"></span><script src="https://dcs.conac.cn/js/17/000/0000/60000000/CA170000000600000000000.js"></script>
<script id="_jiucuo_" sitecode='4102210001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>
</div>"""


def test_all_identifiers():
    ids = footer_ids(FOOTER)
    assert ids == {
        "site_code": "4102210001",
        "icp": "豫ICP备05070218号-1",
        "police": "豫公网安备 41022102000123号",
        "jiucuo": True,
        "jiucuo_sitecode": "4102210001",
        "jiucuo_src": "https://zfwzgl.www.gov.cn/exposure/jiucuo.js",
        "conac": True,
    }


def test_missing_identifiers():
    ids = footer_ids("<p>版权所有</p>")
    assert ids["site_code"] is None and ids["icp"] is None and not ids["jiucuo"]
    assert ids["conac"] is False


def test_ministry_code_and_full_width_colon():
    assert footer_ids("网站标识码：bm07000001")["site_code"] == "bm07000001"
