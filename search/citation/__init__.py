"""Citations of a passage or a report, all made from one CSL-JSON record.

A passage is cited as its report (authors, title, date, publisher when known) at the passage's
permalink, with the passage id as a note, so that a reader lands on the quoted words. The record
(``csl_record``) is the single source: its item type is chosen once per report (``item_type``)
and every format reads it, so BibTeX, RIS, CSL-JSON, the styles and the page's meta tags agree.
Fields the metadata leaves empty are left out, never guessed, and a date the metadata marks as
inferred is an estimate in every format that can say so (CSL-JSON ``circa``, biblatex's ``~``,
RIS's free-text date part, the styles' "ca." and [brackets]) and a clean date everywhere else,
never "ca. 2020" where a reference manager expects a date.

One module per job: ``csl`` (the record), ``runs`` (styled text), ``gb_t``, ``apa``, ``mla`` and
``romanised`` (the styles), ``bibtex`` and ``ris`` (the files), ``meta_tags`` (what a page tells
reference managers), and ``styles``, which makes them all from a passage or report.
"""
