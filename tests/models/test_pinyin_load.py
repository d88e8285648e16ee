"""models.pinyin loads its reading dictionary on a thread when asked ahead (a folder import asks
while its reader process starts): the keys are the ones computed on demand."""

from __future__ import annotations

import threading

import models.pinyin
from models.pinyin import load_in_background, pinyin_key


def test_the_dictionary_loaded_ahead_gives_the_keys_computed_on_demand(monkeypatch):
    monkeypatch.setattr(models.pinyin, "_SYLLABLES", models.pinyin._Syllables())  # as in a fresh process
    load_in_background()
    for loader in [t for t in threading.enumerate() if t.name == "pinyin-load"]:  # none: done already
        loader.join(30)
    assert ord("中") in models.pinyin._SYLLABLES
    load_in_background()  # loaded: no second thread
    assert not any(t.name == "pinyin-load" for t in threading.enumerate())
    assert pinyin_key("张三") < pinyin_key("章三") < pinyin_key("赵四")
