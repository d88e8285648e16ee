"""Privacy: the app never touches the network, and summaries never show a full ID."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NETWORK = re.compile(r"^\s*(import|from)\s+(socket|urllib|http|requests|httpx|aiohttp|ftplib|smtplib|xmlrpc|"
                     r"PySide6\.QtNetwork|PySide6\.QtWebEngine\w*)\b", re.M)


def test_no_module_of_the_app_imports_a_network_library():
    offenders = []
    for folder in ("models", "importers", "exporters", "gui"):
        for path in (ROOT / folder).rglob("*.py"):
            if NETWORK.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    for name in ("main.py", "cli.py", "frozen.py"):
        if NETWORK.search((ROOT / name).read_text(encoding="utf-8")):
            offenders.append(name)
    assert offenders == []


def test_problem_listing_masks_ids_unless_asked(tmp_path, capsys):
    from cli import main
    from tests.builders import make_id, write_community_return, write_population

    census = tmp_path / "c.census"
    good = make_id(1)
    bad = good[:17] + ("0" if good[-1] != "0" else "1")
    main(["population", str(census), str(write_population(tmp_path / "p.xlsx"))])
    main(["import", str(census), str(write_community_return(tmp_path / "r.xlsx", "东区和平街道团结社区",
                                                               [("甲", bad, "初级", None, None, None)]))])
    capsys.readouterr()
    main(["problems", str(census)])
    masked = capsys.readouterr().out
    assert bad not in masked and bad[:6] + "********" + bad[-4:] in masked
    main(["problems", str(census), "--full-ids"])
    assert bad in capsys.readouterr().out
