"""The Flask site, the JSON API and the `shuangyu` command line."""
