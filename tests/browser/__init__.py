"""End to end in a real headless Chromium against `shuangyu serve`."""
