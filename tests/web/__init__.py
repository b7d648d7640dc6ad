"""Tests of web/: routes, pages, the command line, the settings and the servers."""
