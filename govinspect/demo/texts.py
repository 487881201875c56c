"""Word tables and small text generators for the demo town (data only, deterministic).

All text is generated from these tables with a seeded ``random.Random``; nothing here depends on
the clock.  Characters are restricted to ones that exist in GBK, because the county site is
served GBK-encoded.
"""

from __future__ import annotations

import random

TOWN = "示范县"

TOWNSHIPS: tuple[str, ...] = (
    "城关镇",
    "柳林镇",
    "石桥镇",
    "河口乡",
    "白杨乡",
    "青山镇",
    "双庙乡",
    "新集镇",
    "王庄乡",
    "东湖镇",
)

LEADERS: tuple[str, ...] = (
    "县长李建国",
    "常务副县长王志强",
    "副县长陈红梅",
    "副县长赵永刚",
    "县委书记刘振华",
)

PERSON_NAMES: tuple[str, ...] = (
    "张伟",
    "王芳",
    "李强",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周涛",
    "吴敏",
    "徐浩",
    "孙悦",
)

TOPICS: tuple[str, ...] = (
    "秸秆禁烧",
    "冬季供暖保障",
    "安全生产大检查",
    "农村人居环境整治",
    "高标准农田建设",
    "义务教育均衡发展",
    "城乡居民医疗保障",
    "就业创业服务",
    "营商环境优化",
    "乡村振兴",
    "森林防火",
    "老旧小区改造",
    "防汛抗旱",
    "文明城市创建",
    "食品安全",
    "消防安全",
    "秋粮收购",
    "养老服务",
    "河湖长制",
    "国土绿化",
    "信访维稳",
    "招商引资",
    "项目建设",
    "民生实事",
    "疫苗接种",
    "学生资助",
    "校园安全",
    "电动自行车安全治理",
    "燃气安全",
)

DEPARTMENTS: tuple[str, ...] = (
    "县发展和改革委员会",
    "县教育局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源局",
    "县住房和城乡建设局",
    "县农业农村局",
    "县卫生健康委员会",
    "县市场监督管理局",
    "县应急管理局",
)

SOURCES: tuple[str, ...] = ("示范县融媒体中心", "县政府办公室", "示范县人民政府网", "县委宣传部")

TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "news": (
        "{town}召开{topic}工作推进会",
        "{leader}调研{topic}工作",
        "{township}扎实推进{topic}",
        "我县{topic}取得阶段性成效",
        "{dept}开展{topic}专项行动",
        "{township}多措并举做好{topic}工作",
        "全县{topic}现场观摩会在{township}召开",
    ),
    "notice": (
        "关于{topic}的通知",
        "关于开展{topic}工作的公告",
        "{dept}关于{topic}有关事项的公示",
        "关于做好{topic}有关工作的通知",
        "{dept}关于{topic}的通告",
    ),
    "policy": (
        "{org}关于加强{topic}工作的意见",
        "{org}办公室关于印发{topic}工作方案的通知",
        "{org}关于进一步做好{topic}工作的通知",
    ),
    "personnel": (
        "{person}等同志任前公示",
        "关于{person}同志职务任免的通知",
        "{town}2026年公开招聘{topic}工作人员公告",
        "{dept}关于{person}同志试用期满考核情况的公示",
    ),
    "plan": (
        "{town}{topic}三年行动计划",
        "{town}{topic}专项规划",
        "{dept}年度{topic}工作计划",
    ),
    "other": (
        "{topic}办事指南",
        "{township}{topic}服务事项清单",
        "{topic}常见问题解答",
    ),
    "letter": (
        "关于{township}{topic}问题的咨询",
        "建议加强{township}{topic}工作",
        "反映{township}{topic}相关问题",
    ),
    "consultation": (
        "关于公开征求《{town}{topic}实施办法（征求意见稿）》意见的公告",
        "关于《{town}{topic}管理规定（草案）》公开征求意见的通知",
    ),
}

SENTENCES: tuple[str, ...] = (
    "会议强调，要提高政治站位，切实增强做好{topic}工作的责任感和紧迫感。",
    "{township}坚持问题导向，建立工作台账，明确责任分工，确保各项任务落到实处。",
    "截至目前，全县已累计排查各类问题{n}处，完成整改{m}处。",
    "下一步，我县将持续加大{topic}工作力度，不断巩固提升工作成效。",
    "各乡镇、各有关部门要加强协调配合，形成工作合力，确保按时完成目标任务。",
    "活动现场，工作人员向群众发放宣传资料{n}余份，解答群众咨询{m}人次。",
    "{dept}相关负责人介绍，该项工作已纳入年度重点工作目标考核。",
    "据了解，{topic}工作开展以来，共惠及群众{n}余户，群众满意度明显提升。",
)

GUIDE_ELEMENTS: tuple[str, ...] = ("申请方式", "办公地址", "办公时间", "联系电话", "传真")

ANNUAL_REPORT_SECTIONS: tuple[str, ...] = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


def pick(rng: random.Random, seq: tuple[str, ...]) -> str:
    return seq[rng.randrange(len(seq))]


def title_for(kind: str, rng: random.Random, *, org: str = TOWN) -> str:
    """A plausible title for an item of the given column type; ``org`` issues documents."""
    template = pick(rng, TITLE_TEMPLATES.get(kind, TITLE_TEMPLATES["news"]))
    return template.format(
        town=TOWN,
        org=org,
        topic=pick(rng, TOPICS),
        leader=pick(rng, LEADERS),
        township=pick(rng, TOWNSHIPS),
        dept=pick(rng, DEPARTMENTS),
        person=pick(rng, PERSON_NAMES),
    )


def paragraphs(rng: random.Random, topic: str, count: int = 3) -> tuple[str, ...]:
    """Body paragraphs: each a few generated sentences about ``topic``."""
    out = []
    for _ in range(count):
        sentences = [
            pick(rng, SENTENCES).format(
                topic=topic,
                township=pick(rng, TOWNSHIPS),
                dept=pick(rng, DEPARTMENTS),
                n=rng.randint(20, 900),
                m=rng.randint(5, 300),
            )
            for _ in range(rng.randint(2, 4))
        ]
        out.append("".join(sentences))
    return tuple(out)


def topic_of(title: str) -> str:
    """The first known topic mentioned in a title (used to keep body text on-topic)."""
    for topic in TOPICS:
        if topic in title:
            return topic
    return "重点"
