"""Exports and reports of check runs.

``export`` (JSON/CSV of one run), and ``govinspect report`` (docs/reports.md): ``build``
(:func:`~govinspect.reports.build.build_reports`, the entry point), ``period`` and
``history`` (which check runs), ``evidence`` (the archived record behind every URL),
``model`` (what a self-check report says), ``render`` (HTML/PDF), ``word`` (DOCX),
``chart`` (trend PNG), ``workbook`` and ``manual`` (the ranking XLSX and its manual CSV),
``pack`` (evidence zips).  Texts and limits live in ``data/reports.yaml``.
"""
