"""The region tree (市 → 区县 → 街道/乡镇 → 社区/村, units anywhere) and matching names to it.

Returns name their region in free text: "填报单位：海南区西卓子山街道东风社区", "三道坑街道办事处",
"乌达区_三道坑街道_朝阳社区.xlsx". We match against whole paths so two 团结社区 in different
streets are told apart, and tolerate the office suffixes (办事处/居委会/村委会…).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass

KINDS = ("province", "city", "district", "street", "community", "village", "unit")
KIND_LABELS = {
    "province": "省", "city": "市", "district": "区县", "street": "街道/乡镇",
    "community": "社区", "village": "村", "unit": "单位",
}

# Suffixes of the offices that stand for a region (a street's 办事处, a community's 居委会, a
# gacha's 嘎查委员会 or 嘎查村民委员会, a town's 镇人民政府): `strip_office` is the one place they
# are taken off, `is_suffix_only` the one place that says a text names no region at all.
OFFICE_SUFFIXES = ("街道办事处", "办事处", "居民委员会", "村民委员会", "居委会", "村委会", "委员会", "党工委", "党委",
                   "人民政府", "政府", "街道办", "村委", "居委")
# What a region's name ends with to say its kind; alone, such a word names no region.
KIND_WORDS = ("自治区", "地区", "社区", "嘎查", "苏木", "街道", "乡镇", "省", "市", "州", "盟", "区", "县", "旗", "镇",
              "乡", "村")
_VILLAGE_WORDS = ("村", "嘎查", "社区")  # a base that already ends with one takes no 村 back from 村委会
# Words in titles and file names that say nothing about the region.
NOISE_WORDS = ("社会工作专业人才", "社会工作人才", "专业人才", "社工人才", "摸排登记表", "摸排统计表", "摸底统计表",
               "摸排表", "摸底表", "登记表", "汇总表", "统计表", "花名册", "名单", "汇总", "统计", "摸排", "摸底",
               "情况", "信息", "填报单位", "盖章", "（）", "()", "副本", "最终版", "终版", "修改版", "新版", "修订版",
               "更新版", "最新版", "定稿", "终稿", "修改稿", "修改后")
# A per-row region cell that means "the file's own region".
SELF_WORDS = frozenset({"", "本级", "街道办", "街道", "镇政府", "乡政府", "办事处", "本单位", "机关", "街道本级",
                        "镇本级", "乡本级", "本街道", "本镇", "本乡", "/", "无", "-"})


# How a unit's name ends (民政局, 人民医院, 社工服务中心); alone, such an ending names no unit.
UNIT_SUFFIXES = ("局", "院", "所", "中心", "会", "站", "校", "学校", "委", "办", "队", "公司", "厂", "部", "馆", "处",
                 "科", "室", "机构", "医院", "协会", "集团")


def kind_for(name: str, depth: int | None = None) -> str:
    """The kind of a region from its name; depth decides for names with no telling suffix."""
    if name.endswith("省") or name.endswith("自治区"):
        return "province"
    if name.endswith("本级"):  # 新华街道本级: a street's own staff, a unit under it (never a community)
        return "unit"
    if name.endswith(("社区", "小区")):  # 园林小区 is a residents' community, not a district (…区)
        return "community"
    if name.endswith("村") or name.endswith("嘎查"):
        return "village"
    if name.endswith(("街道", "镇", "乡", "苏木")):
        return "street"
    if name.endswith(("区", "县", "旗")):
        return "district"
    if name.endswith(("市", "州", "盟", "地区")):
        return "city" if depth in (None, 0, 1) else "district"
    if name.endswith(UNIT_SUFFIXES):
        return "unit"
    if depth is not None:
        by_depth = {0: "city", 1: "district", 2: "street", 3: "community"}
        return by_depth.get(depth, "unit")
    return "unit"


def names_a_unit_or_region(name: str) -> bool:
    """Whether a name ends as a region or a unit does (光明社区, 红星镇, 区民政局, 社工服务中心):
    a file name's leftover after a known region ("光明社区-张三", "光明社区 最终") that does not
    is the sender's or a clerk's note, not a new node."""
    text = strip_office(name)
    return kind_for(text) != "unit" or text.endswith(UNIT_SUFFIXES) or name != text


def strip_office(name: str) -> str:
    """三道坑街道办事处 → 三道坑街道; 友谊社区居委会 → 友谊社区; 光明村委会 → 光明村;
    巴彦塔拉嘎查嘎查委员会 and 巴彦塔拉嘎查村民委员会 → 巴彦塔拉嘎查; 团结社区社区居委会 → 团结社区."""
    text = re.sub(r"[（(][^）)]*[）)]", "", name).strip()
    changed = True
    while changed:
        changed = False
        for suffix in OFFICE_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                base = text[: -len(suffix)]
                # "街道办事处" keeps "街道"; "光明村委会" is 光明村 (but "新村村委会" is 新村, and
                # "巴彦塔拉嘎查村民委员会" is 巴彦塔拉嘎查).
                if suffix.startswith("街道"):
                    base += "街道"
                elif suffix.startswith("村") and not base.endswith(_VILLAGE_WORDS):
                    base += "村"
                text = _undouble(base)
                changed = True
                break
    return text


def _undouble(text: str) -> str:
    """The kind word written twice once an office is taken off (嘎查嘎查委员会, 社区社区居委会)."""
    for word in KIND_WORDS:
        if text.endswith(word + word) and len(text) > 2 * len(word):
            return text[: -len(word)]
    return text


def is_suffix_only(name: str) -> bool:
    """A text made only of kind words and office suffixes (嘎查, 社区, 村委会, 嘎查委员会, 镇人民政府):
    it says what kind of region, never which one, so it never names a node."""
    text = re.sub(r"\s+", "", name)
    words = sorted(OFFICE_SUFFIXES + KIND_WORDS, key=len, reverse=True)
    while text:
        word = next((w for w in words if text.endswith(w)), None)
        if word is None:
            return False
        text = text[: -len(word)]
    return True


def name_problem(name: str) -> str | None:
    """Why a text cannot be the name of one region node (in Chinese), or None when it can.

    Paths are names joined with "/", so a name holding "/" (or being "." or "..") would make
    several nodes, or phantom ones; a bare kind word or office suffix names no region at all."""
    text = name.strip()
    if not text:
        return "区划名称为空"
    if "/" in text:
        return f"区划名称“{text}”含有“/”，不能作为一个区划的名称"
    if not text.strip("."):
        return f"“{text}”不是区划名称"
    if is_suffix_only(text):
        return f"“{text}”只是区划的类别或机构后缀，不是具体的区划名称"
    return None


def path_problem(path: str) -> str | None:
    """Why a "/"-joined path cannot name a node, or None: each of its names must be a name."""
    names = [n.strip() for n in path.strip().strip("/").split("/")]
    return next((p for p in map(name_problem, names) if p), None)


@dataclass(frozen=True)
class Region:
    id: int
    parent_id: int | None
    name: str
    path: str
    kind: str
    depth: int
    population: int | None = None  # the figure given for this node, not the sum of children
    flagged: bool = False  # created from a return, not from the population table
    note: str = ""


@dataclass(frozen=True)
class Match:
    """What a piece of text says about the region: the node, the leftover text, the doubt."""

    region: Region | None
    remainder: str = ""
    candidates: tuple[Region, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.region is None and len(self.candidates) > 1


class RegionTree:
    """An in-memory view of the regions table, for matching and rollups."""

    def __init__(self, regions: list[Region]):
        self.regions = regions
        self.by_id = {r.id: r for r in regions}
        self.by_path = {r.path: r for r in regions}
        self.depth_of = {r.id: r.depth for r in regions}  # consolidating asks this per file imported
        self.children: dict[int | None, list[Region]] = {}
        # Names indexed once, so matching a title or file name looks its substrings up instead of
        # testing 20,000 names against it (the most of planning a small return in a province).
        self._position: dict[int, int] = {}
        self._by_name: dict[str, list[Region]] = {}
        self._by_key: dict[str, list[Region]] = {}  # names cleaning would change, by what it makes of them
        self._lookup: dict[str, list[Region]] = {}  # a text's piece → the nodes of that name, else of that key
        self._by_bare: dict[str, list[Region]] = {}
        self._lengths: dict[str, set[int]] = {}  # a lookup key's first character → the lengths of such keys
        # Names cleaning would change (统计局, 信息中心, +1社区, a<b>c社区): found as they are in a
        # text, they are kept whole, so the node's own 填报单位 line names it and nothing else.
        self._fragile: set[str] = set()
        self._fragile_longest = 0
        self._order: list[Region] | None = None  # tree_order(), worked out once (summaries ask it often)
        for r in regions:
            self._index(r)

    def _index(self, r: Region) -> None:
        self.children.setdefault(r.parent_id, []).append(r)
        self._position[r.id] = len(self._position)
        self._by_name.setdefault(r.name, []).append(r)
        self._look_up_as(r.name, self._by_name[r.name])
        key = match_key(r.name)
        if key and key != r.name:
            self._by_key.setdefault(key, []).append(r)
            self._look_up_as(key, self._by_name.get(key) or self._by_key[key])
        self._by_bare.setdefault(bare_name(key or r.name), []).append(r)
        if _changed_by_cleaning(r.name):
            self._fragile.add(r.name)
            self._fragile_longest = max(self._fragile_longest, len(r.name))

    def _look_up_as(self, piece: str, regions: list[Region]) -> None:
        self._lookup[piece] = regions
        if piece:
            self._lengths.setdefault(piece[0], set()).add(len(piece))

    def _named_in(self, text: str) -> dict[str, list[Region]]:
        """Every piece of `text` the lookup has, with its nodes. Only the lengths of the keys that
        begin with a piece's first character are tried: most characters of a title begin no name
        (every substring of a 12-character line looked up: 25 µs; these: 6)."""
        lookup, lengths = self._lookup, self._lengths
        found: dict[str, list[Region]] = {}
        end = len(text)
        for i, first in enumerate(text):
            for n in lengths.get(first, ()):
                if i + n <= end and (piece := text[i:i + n]) in lookup:
                    found[piece] = lookup[piece]
        return found

    def add(self, region: Region) -> None:
        """Hang a node just inserted into the regions table on this tree (its parent is here).

        Creating thousands of nodes (a province's population table) then costs one insert each,
        not a rebuild of the whole tree per node."""
        self.regions.append(region)
        self.by_id[region.id] = region
        self.by_path[region.path] = region
        self.depth_of[region.id] = region.depth
        self._order = None
        self._index(region)

    def ancestors(self, region: Region) -> list[Region]:
        out = []
        node = region
        while node.parent_id is not None:
            node = self.by_id[node.parent_id]
            out.append(node)
        return out

    def is_within(self, region: Region, ancestor: Region) -> bool:
        return region.path == ancestor.path or region.path.startswith(ancestor.path + "/")

    def descendants(self, region: Region) -> list[Region]:
        prefix = region.path + "/"
        return [r for r in self.regions if r.path.startswith(prefix)]

    def tree_order(self) -> list[Region]:
        """Depth-first, children in the order they were created (the population table's order)."""
        if self._order is None:
            out: list[Region] = []
            stack = list(reversed(self.children.get(None, [])))
            while stack:
                node = stack.pop()
                out.append(node)
                stack.extend(reversed(self.children.get(node.id, [])))
            self._order = out
        return list(self._order)

    def match_text(self, text: str, within: Region | None = None) -> Match:
        """The deepest region a free text names, preferring nodes whose ancestors it also names.

        "海南区西卓子山街道东风社区" → 东风社区 under 西卓子山街道; "团结社区" alone when two streets
        have one → ambiguous, with both as candidates.
        """
        text = self.clean(text)
        if not text:
            return Match(None)
        found = self._named_in(text)
        hits = self._outermost(text, found, self._in_pool([r for rs in found.values() for r in rs], within))
        whole = not hits  # the text names one region as a whole: "光明居委会" is 光明社区, no remainder
        if whole:
            short = strip_office(text)
            exact = list(self._lookup.get(short, ()))
            if len(short) >= 2:
                exact += [r for r in self._by_bare.get(short, ()) if r not in exact]
            hits = self._in_pool(exact, within)
            if not hits:
                return Match(None, text)
        hit_ids = {r.id for r in hits}

        def chain(r: Region) -> int:
            return 1 + sum(1 for a in self.ancestors(r) if a.id in hit_ids)

        best = max(chain(r) for r in hits)
        top = [r for r in hits if chain(r) == best]
        deepest = max(r.depth for r in top)
        chosen = [r for r in top if r.depth == deepest]
        # Depth decides between different names ("海南区光明社区": the community), never between one
        # name at two levels (测试市/民政局 and 测试市/东区/民政局): that text says nothing of which.
        same = {match_key(r.name) for r in chosen}
        top = chosen + [r for r in top if r.depth < deepest and match_key(r.name) in same]
        if len(top) > 1:
            top = self.parent_named(top, lambda r: r.id in hit_ids) or top
        if len(top) > 1:
            return Match(None, "", tuple(top))
        region = top[0]
        if whole:
            return Match(region)
        remainder = text
        for node in [region, *self.ancestors(region)]:  # as the text holds it: whole, or cleaned
            remainder = remainder.replace(node.name if node.name in remainder else match_key(node.name), "", 1)
        remainder = residue(remainder)
        # "和平街道团结居委会": the office of 团结社区, written without its kind word.
        bare = [c for c in self.children.get(region.id, []) if remainder and bare_name(c.name) == remainder]
        if len(bare) == 1:
            return Match(bare[0])
        return Match(region, remainder)

    def clean(self, text: str) -> str:
        """clean_region_text keeping whole the names of this tree that cleaning would change.

        The kept names are looked up among the text's pieces (as matching does), not each tested
        against the text: a tree may hold thousands of them."""
        keep: set[str] = set()
        if self._fragile:
            flat = re.sub(r"\s+", "", text or "")
            longest = min(len(flat), self._fragile_longest)
            keep = {flat[i:j] for i in range(len(flat)) for j in range(i + 1, min(len(flat), i + longest) + 1)}
            keep &= self._fragile
        return clean_region_text(text, keep=keep)

    def names(self, region: Region, cleaned: str) -> bool:
        """Whether a text `clean` made names the region: whole, or as cleaning makes its name."""
        key = match_key(region.name)
        return region.name in cleaned or bool(key) and key in cleaned

    def _outermost(self, text: str, found: dict[str, list[Region]], hits: list[Region]) -> list[Region]:
        """The hits less those named only inside a longer name the text holds: in "光明社区..." (a
        node of the population table) 光明社区 is not named, nor 西区 in "西区.AUX团结村". A longer
        name that straddles another ("区民政局" in "东区民政局") is one reading of several and hides
        nothing: the chain of ancestors decides there, as before."""
        pooled = {r.id for r in hits}
        live = [n for n, rs in found.items() if any(r.id in pooled for r in rs)]
        if len(live) < 2:
            return hits
        spans = [(a, a + len(n)) for n in live for a in _starts(text, n)]

        def straddles(a: int, b: int) -> bool:
            return any(c < b and a < d and not (a <= c and d <= b) and not (c <= a and b <= d) for c, d in spans)

        hidden = set()
        for n in live:
            longer = [m for m in live if len(m) > len(n) and n in m]
            if not longer:
                continue
            outer = [(a, a + len(m)) for m in longer for a in _starts(text, m)]
            outer = [(a, b) for a, b in outer if not straddles(a, b)]
            if all(any(a <= i and i + len(n) <= b for a, b in outer) for i in _starts(text, n)):
                hidden.add(n)
        if not hidden:
            return hits
        shown = {r.id for n, rs in found.items() if n not in hidden for r in rs}
        return [r for r in hits if r.id in shown]

    def parent_named(self, candidates: list[Region], named: Callable[[Region], bool]) -> list[Region]:
        """The one candidate whose parent the text names, or []: "测试市民政局" reads as the path
        测试市/民政局, not 测试市/东区/民政局 with 东区 left out. A text naming no parent decides nothing."""
        fits = [r for r in candidates if r.parent_id is not None and named(self.by_id[r.parent_id])]
        return fits if len(fits) == 1 else []

    def _in_pool(self, found: list[Region], within: Region | None) -> list[Region]:
        """The regions found that lie under `within` (itself last), in the tree's creation order:
        the order a scan of every region would have found them in."""
        if within is None:
            return sorted(found, key=lambda r: self._position[r.id])
        return sorted((r for r in found if self.is_within(r, within)),
                      key=lambda r: (r.id == within.id, self._position[r.id]))


# A version mark in a file name: v2, V1.3, 第2版, 第三稿.
_VERSION = re.compile(r"(?<![A-Za-z])[vV]\d+(?:\.\d+)*|第[\d一二三四五六七八九十]+(?:版|稿|次)")


_ENDS = "_-—·、，,:： "


def _starts(text: str, piece: str) -> list[int]:
    """Where `piece` starts in `text`, overlaps included."""
    out, i = [], text.find(piece)
    while i >= 0:
        out.append(i)
        i = text.find(piece, i + 1)
    return out


def clean_region_text(text: str, keep: Collection[str] = ()) -> str:
    """Drop labels, noise words, dates and punctuation from a title, filler line or file name;
    a name of `keep` found in the text is left as it is (统计 of 统计局, + of +1社区: a node's own
    name must not turn into another's, or into a name no node has)."""
    text = re.sub(r"\s+", "", text or "")
    text = re.sub(r"^填报(单位|部门)(（盖章）|\(盖章\))?[:：]", "", text)
    text = re.sub(r"填报(日期|时间)[:：].*$", "", text)
    kept = sorted((name for name in keep if name and name in text), key=len, reverse=True)
    parts = re.split(f"({'|'.join(map(re.escape, kept))})", text) if kept else [text]
    for i in range(0, len(parts), 2):  # odd parts are the names kept
        part = re.sub(r"\d{4}年(\d{1,2}月(\d{1,2}日)?)?", "", parts[i])
        part = re.sub(r"[（(]\d+[）)]|\d{6,8}", "", part)
        part = _without_noise(match_key(_VERSION.sub("", part)))
        parts[i] = re.sub(r"[（(][）)]", "", part)  # brackets a noise word was taken out of: 光明社区（修改后）
    parts[0], parts[-1] = parts[0].lstrip(_ENDS), parts[-1].rstrip(_ENDS)
    return "".join(parts)


def match_key(name: str) -> str:
    """A name as cleaning leaves it inside a text: without spaces, symbols and invisible marks
    (😀, ★, ®, +, <, |). A region's name is indexed by it too, so a return whose text lost them
    (a file name, a clerk's retyping) still finds the node, whose own name stays as the user gave it."""
    if name.isalnum():  # letters and digits only (any script): nothing to drop
        return name
    return "".join(ch for ch in name if not ch.isspace() and unicodedata.category(ch)[0] not in "SC")


_PLAIN = re.compile(r"[\u4e00-\u9fff]+")
_NOISE = re.compile("|".join(map(re.escape, NOISE_WORDS)))  # one pass, not one test per word


def _changed_by_cleaning(name: str) -> bool:
    """Whether clean_region_text would change this name (the most names, plain Chinese holding no
    noise word, are told at once: a province's 20,000 are indexed on every tree built)."""
    if _NOISE.search(name):
        return True
    if _PLAIN.fullmatch(name) and "第" not in name:
        return False
    return clean_region_text(name) != name


# Noise words that also begin the names of units (统计局, 统计站, 信息中心, 信息科): followed by a
# unit's suffix they are a name, known to the tree or not — "东区统计局" from a 统计局 the tree does
# not have yet lost 统计 and came out as 东区 and a leftover "局" too short to be a name.
_NAME_HEADS = {word: re.compile(f"{word}(?!{'|'.join(UNIT_SUFFIXES)})") for word in ("统计", "信息")}


def _without_noise(text: str) -> str:
    for word in NOISE_WORDS:
        head = _NAME_HEADS.get(word)
        text = head.sub("", text) if head else text.replace(word, "")
    return text


_KIND_SUFFIXES = ("街道", "社区", "嘎查", "苏木", "村", "镇", "乡")


def bare_name(name: str) -> str:
    """光明社区 → 光明: how people sometimes write a region without its kind."""
    for suffix in _KIND_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def residue(text: str) -> str:
    """What is left of a text once region names are taken out, minus office words and punctuation."""
    text = text.strip("_-—·、，,:：/ ")
    if _office_tail(text):  # "居民委员会", "人民政府", or "委会" left of 光明村委会 once 光明村 is taken out
        return ""
    text = strip_office(text).strip("_-—·、，,:：/ ")
    return "" if _office_tail(text) or text in SELF_WORDS or is_suffix_only(text) else text


def _office_tail(text: str) -> bool:
    """An office suffix, or the end of one whose first characters belong to the region's name."""
    return bool(text) and any(suffix.endswith(text) for suffix in OFFICE_SUFFIXES)


def missing_parent(path: str | None, known: Collection[str]) -> str | None:
    """The parent path of a new region `path` when the tree has regions but not that parent.

    A return may add a node under a known one (a unit, a misspelt community), never a whole branch
    beside the population table: a typo would become a district. The import refuses such a file;
    the review dialog says so before.
    """
    path = (path or "").strip("/")
    if "/" not in path or not known or path in known:
        return None
    parent = path.rsplit("/", 1)[0]
    return None if parent in known else parent
