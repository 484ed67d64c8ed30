#!/usr/bin/python3
"""A tiny GTK 3 drag source for the desktop app's end-to-end test.

It shows a window with one button; dragging the button offers the files given on the
command line as a text/uri-list, the way a file manager does. xdotool drives the drag, so
the app receives a real XDND drop from another X client.
Run with Debian's python3 (python3-gi, gir1.2-gtk-3.0).
"""
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

uris = [Path(p).resolve().as_uri() for p in sys.argv[1:]]

win = Gtk.Window(title="samplemind-drag-source")
win.set_default_size(220, 120)
win.move(1500, 80)
button = Gtk.Button(label="drag the samples")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()


def on_get(_widget, _ctx, data, _info, _time):
    data.set_uris(uris)


button.connect("drag-data-get", on_get)
button.connect("drag-end", lambda *_: print("drag-end", flush=True))
win.add(button)
win.connect("destroy", Gtk.main_quit)
win.show_all()
print("ready", flush=True)
Gtk.main()
