#!/usr/bin/python3
"""Save what the X display shows as a PNG: the desktop app's end-to-end screenshots.

usage: DISPLAY=:N screenshot.py OUT.png

The app runs WebKitGTK without accelerated compositing (less memory), and in that mode
WebKitWebDriver's screenshot command never answers; the X server's own picture of the screen
is what a user sees anyway. Run with Debian's python3 (python3-gi, gir1.2-gtk-3.0).
"""
import sys

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

root = Gdk.get_default_root_window()
if root is None:
    sys.exit("screenshot: no display")
picture = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
if picture is None:
    sys.exit("screenshot: the display gave no picture")
picture.savev(sys.argv[1], "png", [], [])
