"""Corpus → passages → analysis → engine index: everything that writes the index.

By job: ``sources`` reads reports into passages, ``text`` analyses Chinese, ``english`` makes
the English, ``semantic`` the vectors, ``engines`` indexes and reads; ``build`` ties them together.
"""
