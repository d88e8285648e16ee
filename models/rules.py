"""The counting rules of DOMAIN.md as settings with their documented defaults.

Every number a bureau may set differently lives here, so the same code serves the city that
counts 1‰ and 120 hours since 2015 and the district that counts 5 years of training.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from functools import lru_cache

DEFAULT_RELATED_MAJORS: tuple[str, ...] = (
    "社会工作", "社工", "社会学", "社会政策", "社会保障", "社会福利", "心理学", "心理咨询",
    "人口学", "人类学", "老年服务", "青少年工作", "社区管理",
)

# Certificate levels, lowest to highest. 0 means none.
LEVEL_NONE, LEVEL_ASSISTANT, LEVEL_INTERMEDIATE, LEVEL_SENIOR = 0, 1, 2, 3
LEVEL_NAMES = {
    LEVEL_NONE: "",
    LEVEL_ASSISTANT: "助理社会工作师",
    LEVEL_INTERMEDIATE: "社会工作师",
    LEVEL_SENIOR: "高级社会工作师",
}

# Education ranks. Only 大专 and above can qualify as a degree.
EDU_NONE, EDU_JUNIOR_HIGH, EDU_SECONDARY, EDU_COLLEGE, EDU_BACHELOR, EDU_MASTER, EDU_DOCTOR = range(7)
EDU_NAMES = {
    EDU_NONE: "", EDU_JUNIOR_HIGH: "初中及以下", EDU_SECONDARY: "高中/中专/职高", EDU_COLLEGE: "大专",
    EDU_BACHELOR: "本科", EDU_MASTER: "硕士研究生", EDU_DOCTOR: "博士研究生",
}

# Node kinds (models.regions.KINDS) whose persons the monthly allowance pays: 社区, 村 and 嘎查 (a
# village kind), as the district notice pays 城乡社区工作者 "由街镇财力解决".
DEFAULT_ALLOWANCE_KINDS: tuple[str, ...] = ("community", "village")
ALL_KINDS: tuple[str, ...] = ("province", "city", "district", "street", "community", "village", "unit")

# The district notice's unit targets. What counts: "certified" (持证), "talents" (any rule) or
# "certified_or_sw_degree" (certified, or a social-work bachelor's degree or above). The last
# element is a share of 在岗职工数 ("1/3", rounded up) or a number of people ("2").
UNIT_TYPES: tuple[str, ...] = ("社会服务机关事业单位", "其他机关事业单位", "学校", "医院", "社工机构", "社工站", "其他")
UNIT_COUNTS = ("certified", "talents", "certified_or_sw_degree")
DEFAULT_UNIT_TARGETS: tuple[tuple[str, str, str], ...] = (
    ("社会服务机关事业单位", "certified", "1/3"),  # incl. the streets'/towns' own staff
    ("其他机关事业单位", "certified", "1/5"),
    ("学校", "talents", "2"),  # "2–3 social-work talents": the lower bound is the requirement
    ("医院", "talents", "2"),
    ("社工机构", "certified_or_sw_degree", "1/3"),
)
DEFAULT_SW_MAJORS: tuple[str, ...] = ("社会工作", "社工")


@dataclass(frozen=True)
class Rules:
    """Who counts and what the targets are. Defaults are DOMAIN.md's."""

    per_mille: Decimal = Decimal("1")  # target = ceil(population × per_mille / 1000)
    min_hours: int = 120  # trained: at least this many cumulative hours…
    training_since: str = "2015-01-01"  # …since this date (the template asks for hours since then)
    min_degree: int = EDU_COLLEGE  # 大专 and above
    related_majors: tuple[str, ...] = DEFAULT_RELATED_MAJORS
    certified_min_community: int = 2  # ≥2 certified per urban community (…社区)
    certified_min_village: int = 1  # ≥1 per village (…村/嘎查)
    allowance_monthly: tuple[int, int, int] = (200, 300, 500)  # yuan, assistant/intermediate/senior
    award_once: tuple[int, int, int] = (2000, 3000, 6000)
    # Who is paid (models.allowance): the monthly allowance goes to persons attributed to nodes of
    # these kinds (community and village workers, paid from the street's or town's budget); the
    # one-off award to certificates obtained in `award_year` (None: the latest 取得证书时间 year in
    # the census) by persons attributed to nodes of `award_kinds` (every kind by default).
    allowance_kinds: tuple[str, ...] = DEFAULT_ALLOWANCE_KINDS
    award_year: int | None = None
    award_kinds: tuple[str, ...] = ALL_KINDS
    # Unit targets against staff (models.units): (unit type, what counts, share of staff or people).
    unit_targets: tuple[tuple[str, str, str], ...] = DEFAULT_UNIT_TARGETS
    sw_degree_min: int = EDU_BACHELOR  # the agency rule: certified, or this degree or above…
    sw_majors: tuple[str, ...] = DEFAULT_SW_MAJORS  # …in social work itself (substring of the major)
    extra: dict = field(default_factory=dict, compare=False)  # forward compatibility

    def to_json(self) -> str:
        data = asdict(self)
        data["per_mille"] = str(self.per_mille)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Rules:
        """Read stored rules; unknown keys are kept in `extra`, missing ones take defaults."""
        if not text:
            return cls()
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known and k != "extra"}
        if "per_mille" in kwargs:
            kwargs["per_mille"] = Decimal(str(kwargs["per_mille"]))
        for key in ("related_majors", "allowance_monthly", "award_once", "allowance_kinds", "award_kinds",
                    "sw_majors"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        if "unit_targets" in kwargs:
            kwargs["unit_targets"] = tuple(tuple(rule) for rule in kwargs["unit_targets"])
        extra = {k: v for k, v in data.items() if k not in known}
        return replace(cls(), **kwargs, extra=extra)

    def major_related(self, major: str | None) -> bool:
        """Substring match of the normalised major against the related-major keywords."""
        if not major:
            return False
        return _related(self.related_majors, major)


@lru_cache(maxsize=4096)
def _related(keys: tuple[str, ...], major: str) -> bool:
    """Memoised: asked once per person, while a census holds a few hundred distinct majors."""
    return any(key and key in major for key in keys)
