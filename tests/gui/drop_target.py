#!/usr/bin/python3
"""A tiny GTK 3 drop target for the desktop app's end-to-end test: what a file manager or a
DAW is to a sample dragged out of SampleMind.

It shows a window that accepts a text/uri-list drop and prints each dropped URI on its own
line, prefixed by "dropped ", then "drop-end". xdotool drives the drag from the app's
table, so the drop is a real XDND exchange between two X clients.
Run with Debian's python3 (python3-gi, gir1.2-gtk-3.0).
"""
import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

win = Gtk.Window(title="samplemind-drop-target")
win.set_default_size(300, 200)
win.move(1400, 600)
label = Gtk.Label(label="drop samples here")
box = Gtk.EventBox()
box.add(label)
box.drag_dest_set(Gtk.DestDefaults.ALL, [], Gdk.DragAction.COPY)
box.drag_dest_add_uri_targets()


def on_received(_widget, _ctx, _x, _y, data, _info, _time):
    for uri in data.get_uris() or []:
        print("dropped", uri, flush=True)
    print("drop-end", flush=True)


box.connect("drag-data-received", on_received)
win.add(box)
win.connect("destroy", Gtk.main_quit)
win.show_all()
print("ready", flush=True)
Gtk.main()
