"""The commands of ``shuangyu`` (``web/cli.py``), one module per command group."""
