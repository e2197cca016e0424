"""flemletter: a bilingual newsletter publishing pipeline.

Articles and a monthly issue file go in; a responsive email per language, a web archive,
feeds and a delivered send come out. The public entry points are :func:`flemletter.build.build`
and :func:`flemletter.build.check`.
"""

__version__ = "0.1.0"
