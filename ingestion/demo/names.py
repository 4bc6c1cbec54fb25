"""Chinese-looking names for people, customers and opportunities, built from syllable lists."""

from __future__ import annotations

from random import Random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲菊兰飞鹏辉建国志海波宁琳晨"
WORDS = (
    "华信",
    "恒通",
    "宏远",
    "瑞丰",
    "博达",
    "天成",
    "中科",
    "嘉禾",
    "鼎盛",
    "远航",
    "东方",
    "新纪",
    "汇能",
    "长城",
    "金桥",
    "润泽",
    "联创",
    "星河",
    "明德",
    "安泰",
    "和顺",
    "永安",
    "众诚",
    "启明",
    "卓越",
    "智源",
    "海川",
    "同方",
    "国泰",
    "万达",
)
BRANCH_CITY = {
    "shanghai": "上海",
    "hangzhou": "杭州",
    "nanjing": "南京",
    "beijing": "北京",
    "tianjin": "天津",
    "jinan": "济南",
    "guangzhou": "广州",
    "shenzhen": "深圳",
    "fuzhou": "福州",
    "chengdu": "成都",
    "chongqing": "重庆",
    "xian": "西安",
}
INDUSTRY_WORD = {
    "power": "电力",
    "finance": "金融",
    "government": "信息",
    "real_estate": "置业",
    "fmcg": "食品",
    "manufacturing": "制造",
}
GOVERNMENT_UNITS = (
    "财政局",
    "税务局",
    "政务服务中心",
    "交通运输局",
    "大数据局",
    "卫生健康委员会",
    "人民政府办公室",
    "公安局",
    "教育局",
)
INSTITUTION_UNITS = (
    "人民医院",
    "中医院",
    "大学",
    "职业技术学院",
    "研究院",
    "疾病预防控制中心",
    "图书馆",
    "气象局信息中心",
)
DISTRICTS = {
    "shanghai": ("浦东新", "徐汇", "闵行"),
    "hangzhou": ("滨江", "西湖", "余杭"),
    "nanjing": ("鼓楼", "江宁", "玄武"),
    "beijing": ("海淀", "朝阳", "东城"),
    "tianjin": ("和平", "南开", "滨海新"),
    "jinan": ("历下", "市中", "槐荫"),
    "guangzhou": ("天河", "越秀", "番禺"),
    "shenzhen": ("南山", "福田", "龙岗"),
    "fuzhou": ("鼓楼", "台江", "仓山"),
    "chengdu": ("武侯", "锦江", "青羊"),
    "chongqing": ("渝中", "江北", "渝北"),
    "xian": ("雁塔", "碑林", "未央"),
}
PRODUCT_LABEL = {"hardware": "硬件扩容", "software": "软件平台", "service": "运维服务"}
TYPE_LABEL = {"new": "新建", "upsell": "增购", "renewal": "续签"}


def person_name(rng: Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def account_name(rng: Random, customer_type: str, branch: str, industry: str) -> str:
    city = BRANCH_CITY[branch]
    if customer_type == "government":
        level = "市" if rng.random() < 0.4 else rng.choice(DISTRICTS[branch]) + "区"
        return city + level + rng.choice(GOVERNMENT_UNITS)
    if customer_type == "public_institution":
        return city + rng.choice(WORDS[:8]) + rng.choice(INSTITUTION_UNITS)
    suffix = rng.choice(("科技有限公司", "股份有限公司", "集团有限公司", "有限公司"))
    return city + rng.choice(WORDS) + rng.choice(WORDS) + INDUSTRY_WORD[industry] + suffix


def short_name(name: str) -> str:
    """A customer name without its legal-form suffix, for opportunity names."""
    for suffix in ("科技有限公司", "股份有限公司", "集团有限公司", "有限公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def opportunity_name(account: str, year: int, product: str, opportunity_type: str) -> str:
    return f"{short_name(account)} {year} {PRODUCT_LABEL[product]}{TYPE_LABEL[opportunity_type]}"
