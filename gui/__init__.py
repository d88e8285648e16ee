"""The desktop window: widgets, Qt item models over `Census` queries, one worker adapter.

Qt lives only here (and in main.py); the census logic lives in models/ and importers/.
"""
